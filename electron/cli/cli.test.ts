import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';
import type { CliIO } from './command';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const controller = new AbortController();
  const value: CliIO = { stdout, stderr, env, cwd: process.cwd(), signal: controller.signal };
  return { io: value, out: () => out.join(''), err: () => err.join(''), abort: () => controller.abort() };
}

describe('switchboard CLI', () => {
  it('--help lists every command and the exit codes', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    for (const name of ['serve', 'demo', 'desktop']) expect(t.out()).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(t.out()).toContain('Exit codes:');
  });

  it('an unknown command is a usage error with one line', async () => {
    const t = io();
    expect(await runCli(['frobnicate'], t.io)).toBe(1);
    expect(t.err().trim().split('\n')).toHaveLength(1);
  });

  it('serve refuses a non-loopback address without --allow-remote', async () => {
    const t = io();
    expect(await runCli(['serve', '--host', '0.0.0.0'], t.io)).toBe(1);
    expect(t.err()).toContain('--allow-remote');
  });

  it('an unknown flag is a usage error, not a stack trace', async () => {
    const t = io();
    expect(await runCli(['serve', '--frob'], t.io)).toBe(1);
    expect(t.err()).not.toMatch(/\n\s+at /);
  });

  it('demo without a display says why in one sentence and starts browser mode', async () => {
    const dataDir = `/tmp/sb-cli-demo-${process.pid}`;
    const t = io({ SWITCHBOARD_DATA_DIR: dataDir });
    const running = runCli(['demo'], t.io);
    await expect.poll(() => t.out(), { timeout: 10_000 }).toContain('http://127.0.0.1:');
    expect(t.out()).toMatch(/^(The Electron binary is not installed on this machine|No graphical display is available), so Switchboard is starting in browser mode instead\./);
    t.abort();
    expect(await running).toBe(0);
  });
});
