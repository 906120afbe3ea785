import { AppError } from '../../../shared/contract/errors';
import { exec, type ExecOptions, type ExecResult } from './exec';
import type { SshPool } from './pool';
import { poolKey, type SshTarget } from './target';

export interface SudoOptions extends ExecOptions {
  /** The login user's sudo password, used only when `sudo -n` says one is required. */
  password?: string | (() => Promise<string>);
  /** Run as this user instead of root (`sudo -u`). */
  runAs?: string;
}

const PASSWORD_REQUIRED = /a password is required/i;
const PASSWORD_REFUSED = /incorrect password|sorry, try again|no password was provided|a password is required/i;

function sudoArgv(mode: string[], runAs: string | undefined, argv: readonly string[]): string[] {
  return ['sudo', ...mode, ...(runAs === undefined ? [] : ['-u', runAs]), '--', ...argv];
}

function scrub(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[redacted]');
}

/** Chunks without the secret pass untouched (decoding could split a multi-byte character). */
function scrubChunk(chunk: Buffer, secret: string): Buffer {
  return secret !== '' && chunk.includes(secret) ? Buffer.from(scrub(chunk.toString(), secret)) : chunk;
}

/**
 * Runs `argv` through sudo. `sudo -n` first; only when sudo answers that a password
 * is required does it run `sudo -S -p ''` and write the password to stdin. The
 * password is never on a command line, in the pool's log, in an error, or in the
 * returned output.
 */
export async function sudoExec(
  pool: SshPool,
  target: SshTarget,
  argv: readonly string[],
  options: SudoOptions = {},
): Promise<ExecResult> {
  const { password, runAs, ...execOptions } = options;
  // The first try's stderr is held back: "a password is required" is not output.
  let heldStderr: Buffer[] = [];
  const first = await exec(pool, target, sudoArgv(['-n'], runAs, argv), {
    ...execOptions,
    onStderr: (chunk) => heldStderr.push(chunk),
  });
  const needsPassword = first.exitCode === 1 && first.stdout === '' && PASSWORD_REQUIRED.test(first.stderr);
  if (!needsPassword) {
    for (const chunk of heldStderr) execOptions.onStderr?.(chunk);
    return first;
  }
  heldStderr = [];
  const where = poolKey(target);
  if (password === undefined) {
    throw new AppError('SUDO', `sudo on ${where} needs a password and none was given`, { target: where });
  }
  const secret = typeof password === 'string' ? password : await password();
  pool.log.registerSecret(secret);
  const stdin = Buffer.concat([Buffer.from(`${secret}\n`), Buffer.from(execOptions.stdin ?? '')]);
  const second = await exec(pool, target, sudoArgv(['-S', '-p', ''], runAs, argv), {
    ...execOptions,
    stdin,
    onStdout: execOptions.onStdout && ((chunk) => execOptions.onStdout?.(scrubChunk(chunk, secret))),
    onStderr: execOptions.onStderr && ((chunk) => execOptions.onStderr?.(scrubChunk(chunk, secret))),
  });
  const result = { ...second, stdout: scrub(second.stdout, secret), stderr: scrub(second.stderr, secret) };
  if (result.exitCode === 1 && PASSWORD_REFUSED.test(result.stderr) && result.stdout === '') {
    throw new AppError('SUDO', `sudo on ${where} refused the password`, { target: where });
  }
  return result;
}
