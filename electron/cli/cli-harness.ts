import { PassThrough } from 'node:stream';
import { runCli } from './run-cli';

/** Runs the CLI in-process as a test would from a shell: captured stdout/stderr and the exit code. */
export async function runCliCaptured(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdout, stderr, env: options.env ?? {}, cwd: options.cwd, signal: new AbortController().signal });
  return { code, out, err };
}
