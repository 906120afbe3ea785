import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectProbeFailure, looksLikeHtml } from './failure';
import { excerptOf, redactSecrets, unknown } from './result';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('probe failures', () => {
  it('recognises the real "command not found" of bash and dash', () => {
    expect(detectProbeFailure(fixture('shell/bash-command-not-found.txt'), 127)).toBe('command not found: vmq-admin');
    expect(detectProbeFailure(fixture('shell/dash-not-found.txt'), 127)).toBe('command not found: vmq-admin');
    expect(detectProbeFailure(fixture('shell/dash-not-found.txt'))).toBe('command not found: vmq-admin');
    expect(detectProbeFailure('zsh:1: command not found: vmq-admin\n', 127)).toBe('command not found: vmq-admin');
    expect(detectProbeFailure('', 127)).toBe('command not found (exit 127)');
  });

  it('does not mistake a log line that mentions "not found" for a missing tool', () => {
    expect(detectProbeFailure('Nov 26 00:26:32 vm voms-server[12]: config: not found\n', 0)).toBeUndefined();
    expect(detectProbeFailure('sh: 1: vmq-admin: not found\n', 0)).toBeUndefined();
  });

  it('recognises a host without systemd and a missing Docker daemon', () => {
    expect(detectProbeFailure(fixture('systemd/not-booted.txt'), 1)).toBe('System has not been booted with systemd');
    expect(detectProbeFailure(fixture('host/docker-ps-no-daemon.txt'), 1)).toBe('Cannot connect to the Docker daemon');
  });

  it('knows an HTML page', () => {
    expect(looksLikeHtml(fixture('health/haproxy-503-html-with-code.txt'))).toBe(true);
    expect(looksLikeHtml('{"status":"ok"}')).toBe(false);
  });
});

describe('excerpts', () => {
  it('keeps the start of long output and says how much was left out', () => {
    const long = 'x'.repeat(1000);
    expect(excerptOf(long)).toBe(`${'x'.repeat(400)}… (600 more characters)`);
    expect(unknown('why', '  short \n')).toEqual({ status: 'unknown', reason: 'why', excerpt: 'short' });
  });

  it('hides secret-looking values in environment lines and JSON', () => {
    expect(redactSecrets('SOME_PASSWORD=secret PATH=/usr/bin')).toBe('SOME_PASSWORD=<redacted> PATH=/usr/bin');
    expect(redactSecrets('{"authToken": "abc123", "user": "admin"}')).toBe('{"authToken": "<redacted>", "user": "admin"}');
    expect(excerptOf('"Env": ["GLOBAL_PASSWORD=magic", "RAILS_ENV=development"]')).not.toContain('magic');
  });
});
