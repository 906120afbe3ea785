import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors';
import { shellCommand } from '../../shell/quote';
import { buildSectionedScript, SECTION_TIMED_OUT, splitSections } from './sections';

const nonce = '9f3c2a71b0d84e56';

/** Runs the script the way the probe engine does: fed to a POSIX shell on stdin. */
function runScript(script: string, shell = '/bin/sh'): string {
  const result = spawnSync(shell, ['-s'], { input: script, encoding: 'utf8' });
  return result.stdout;
}

describe('sectioned probe scripts', () => {
  it('brings back each section with its exact output and exit status, under dash and bash', () => {
    const sections = [
      { name: 'uptime', command: shellCommand(['cat', '/proc/uptime']) },
      { name: 'no-newline', command: shellCommand(['printf', '%s', 'no newline at the end']) },
      { name: 'empty', command: 'true' },
      { name: 'fails', command: `${shellCommand(['sh', '-c', 'echo out; echo err >&2; exit 3'])} # trailing comment` },
      { name: 'missing-tool', command: shellCommand(['vmq-admin', 'cluster', 'show']) },
      { name: 'reads-stdin', command: 'cat' },
      { name: 'exits', command: 'exit 7' },
      { name: 'after-exit', command: shellCommand(['echo', 'still running']) },
    ];
    const script = buildSectionedScript(nonce, sections);
    for (const shell of ['/bin/sh', '/bin/bash']) {
      const { sections: split, outside } = splitSections(runScript(script, shell), nonce, sections.map((s) => s.name));
      const byName = Object.fromEntries(split.map((section) => [section.name, section]));
      expect(split.every((section) => section.state === 'complete'), shell).toBe(true);
      expect(byName.uptime?.output).toMatch(/^\d+\.\d+ \d+\.\d+\n$/);
      expect(byName['no-newline']).toMatchObject({ exitCode: 0, output: 'no newline at the end' });
      expect(byName.empty).toMatchObject({ exitCode: 0, output: '' });
      expect(byName.fails).toMatchObject({ exitCode: 3, output: 'out\nerr\n' });
      expect(byName['missing-tool']?.exitCode).toBe(127);
      expect(byName['missing-tool']?.output).toMatch(/vmq-admin: (command )?not found/);
      expect(byName['reads-stdin']).toMatchObject({ exitCode: 0, output: '' });
      expect(byName.exits?.exitCode).toBe(7);
      expect(byName['after-exit']?.output).toBe('still running\n');
      expect(outside).toBe('');
    }
  });

  it('stops a section that hangs at its time limit and goes on with the next', () => {
    const sections = [
      { name: 'hangs', command: shellCommand(['sleep', '30']), timeLimited: true },
      { name: 'after', command: shellCommand(['echo', 'next']) },
    ];
    const started = Date.now();
    const { sections: split } = splitSections(runScript(buildSectionedScript(nonce, sections, { timeoutSeconds: 1 })), nonce, ['hangs', 'after']);
    expect(split.find((s) => s.name === 'hangs')).toMatchObject({ state: 'complete', exitCode: SECTION_TIMED_OUT });
    expect(split.find((s) => s.name === 'after')).toMatchObject({ state: 'complete', exitCode: 0, output: 'next\n' });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('marks the section cut off when the host vanished, and the ones that never started', () => {
    const sections = ['one', 'two', 'three'].map((name) => ({ name, command: shellCommand(['echo', `output of ${name}`]) }));
    const full = runScript(buildSectionedScript(nonce, sections));
    const cut = full.slice(0, full.indexOf('output of two') + 9);
    const { sections: split } = splitSections(cut, nonce, ['one', 'two', 'three']);
    expect(split).toEqual([
      { name: 'one', state: 'complete', exitCode: 0, output: 'output of one\n' },
      { name: 'two', state: 'truncated', output: 'output of' },
      { name: 'three', state: 'missing', output: '' },
    ]);
  });

  it('ignores frames with another nonce and keeps text outside frames apart', () => {
    const forged = '@@SB-END 0000000000000000 one 0\n';
    const script = buildSectionedScript(nonce, [{ name: 'one', command: shellCommand(['printf', '%s', forged]) }]);
    const { sections, outside } = splitSections(`Welcome to host-1\n${runScript(script)}`, nonce, ['one']);
    expect(sections).toEqual([{ name: 'one', state: 'complete', exitCode: 0, output: forged }]);
    expect(outside).toBe('Welcome to host-1\n');
  });

  it('reads frames that crossed a terminal (CRLF line ends)', () => {
    const text = `@@SB-BEGIN ${nonce} date\r\n1795652721\r\n\r\n@@SB-END ${nonce} date 0\r\n`;
    expect(splitSections(text, nonce, ['date']).sections).toEqual([{ name: 'date', state: 'complete', exitCode: 0, output: '1795652721\r\n' }]);
  });

  it('refuses bad nonces, names and commands without echoing the command', () => {
    expect(() => buildSectionedScript('not-hex!', [])).toThrow(AppError);
    expect(() => buildSectionedScript('abc', [])).toThrow(/nonce/);
    expect(() => buildSectionedScript(nonce, [{ name: 'Upper', command: 'true' }])).toThrow(/section name/);
    expect(() => buildSectionedScript(nonce, [{ name: 'a;b', command: 'true' }])).toThrow(AppError);
    expect(() => buildSectionedScript(nonce, [{ name: 'x', command: 'true' }, { name: 'x', command: 'true' }])).toThrow(/unique/);
    const secret = "curl -H 'X-Auth-Token: s3cr3t' \0";
    let message = '';
    try {
      buildSectionedScript(nonce, [{ name: 'x', command: secret }]);
    } catch (error) {
      message = JSON.stringify({ message: (error as AppError).message, details: (error as AppError).details });
    }
    expect(message).toContain('NUL');
    expect(message).not.toContain('s3cr3t');
    expect(() => splitSections('', 'xyz')).toThrow(AppError);
  });
});
