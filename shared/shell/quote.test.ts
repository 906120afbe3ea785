import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinCat, shellCommand, shellQuote } from './quote';

const hostile = [
  '',
  ' ',
  `it's`,
  `"double"`,
  `'`,
  `''`,
  '$(touch /tmp/sb-quote-pwned)',
  '`touch /tmp/sb-quote-pwned`',
  '${HOME}',
  '$1 $@ $* $? $$ $!',
  'a;b',
  'a && b || c',
  'a | b',
  'a > /tmp/sb-quote-redirect',
  '< /etc/passwd',
  '(subshell)',
  '{brace,expansion}',
  '*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '#comment',
  '!history',
  'back\\slash\\',
  '\\n',
  'line\nbreak',
  '\r\n',
  '\t',
  'trailing newline\n',
  '-n',
  '--',
  '-e \\x41',
  'ünïcödé',
  '中文字符',
  '🚀 emoji',
  'a=b',
  'x'.repeat(5000),
  '\u0001\u001b[31mansi\u007f',
];

/** Runs printf through a real shell and splits its NUL-separated output. */
function throughShell(shell: string, values: readonly string[]): string[] {
  const line = shellCommand(['printf', '%s\\0', ...values]);
  const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const shells = ['/bin/sh', '/bin/dash', '/bin/bash'].filter((path) => existsSync(path));

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shellQuote('systemctl')).toBe('systemctl');
    expect(shellQuote('/opt/voms/bin/server.bak')).toBe('/opt/voms/bin/server.bak');
    expect(shellQuote('user@host:22,a=b+c%d')).toBe('user@host:22,a=b+c%d');
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('two words')).toBe(`'two words'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('~')).toBe(`'~'`);
    expect(shellQuote('中文')).toBe(`'中文'`);
  });

  it('refuses NUL, which no shell word can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('shellCommand', () => {
  it('needs a program name', () => {
    expect(() => shellCommand([])).toThrow();
  });

  it.each(shells)('round-trips hostile values exactly through %s', (shell) => {
    expect(throughShell(shell, hostile)).toEqual(hostile);
    expect(existsSync('/tmp/sb-quote-pwned')).toBe(false);
    expect(existsSync('/tmp/sb-quote-redirect')).toBe(false);
  });

  it.each(shells)('round-trips random strings through %s', (shell) => {
    // Deterministic pseudo-random strings over a hostile alphabet (no NUL).
    const alphabet = [...` \t\n\r'"\\$\`;&|<>(){}[]*?~#!=%-_.,:/@^+aZ09ü中🚀\u0001\u007f`];
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const values = Array.from({ length: 300 }, () =>
      Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join(''),
    );
    expect(throughShell(shell, values)).toEqual(values);
  });
});

describe('builtinCat', () => {
  it('prints a file like cat, with shell builtins only (also a last line without a newline, and odd names)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), "sb cat '$(x)"));
    try {
      const file = join(dir, "a b'c");
      writeFileSync(file, 'one\n  two  \\ back\nlast');
      for (const shell of ['/bin/sh', '/bin/bash']) {
        const result = spawnSync(shell, ['-c', builtinCat(file)], { encoding: 'utf8' });
        expect(result.stdout).toBe('one\n  two  \\ back\nlast\n');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
