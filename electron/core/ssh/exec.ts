import type { ClientChannel } from 'ssh2';
import { AppError } from '../../../shared/contract/errors';
import { shellCommand, shellQuote } from '../../../shared/shell/quote';
import { openExecChannel } from './channels';
import { CappedOutput, PidMarkerFilter } from './output';
import type { SessionLease, SshPool } from './pool';
import { poolKey, type SshTarget } from './target';

export interface ExecOptions {
  /** Cancels the command: the remote process group is killed and the channel closed. */
  signal?: AbortSignal;
  /** Whole-call limit (waiting for a connection included); on expiry, as for cancel. */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  /** Remote working directory. */
  cwd?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Per stream; beyond it output is dropped and the result marked truncated. Default 8 MiB. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** Null when the process died from a signal or the server sent no status. */
  exitCode: number | null;
  /** e.g. `TERM`, `KILL` when the process died from a signal. */
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;
/** How long a cancel waits for the wrapper to report its pid, when it has not yet. */
const PID_WAIT_MS = 2000;
const KILL_TIMEOUT_MS = 15_000;
/** After the kill, how long to wait for the server to close the channel before freeing its slot anyway. */
const CLOSE_WAIT_MS = 5000;

/**
 * The line sent to the server. The login shell prints its pid, then `exec`s the
 * command, so the command keeps that pid and its process group (sshd makes each
 * session's shell a session and group leader): cancel can kill the whole group.
 */
export function wrapCommand(argv: readonly string[], cwd?: string): string {
  const cd = cwd === undefined ? '' : `cd -- ${shellQuote(cwd)} && `;
  return `echo ${PidMarkerFilter.marker}$$ && ${cd}exec ${shellCommand(argv)}`;
}

/**
 * TERM to the group, then KILL if anything of it still runs after about 3 s. Zombies
 * do not count (an orphan may wait a while for init to reap it): `ps` tells them
 * apart where it can, `kill -0` is the fallback.
 */
function killGroupScript(pid: number): string {
  return [
    `kill -TERM -${pid} 2>/dev/null || exit 0`,
    'alive() {',
    `  out=$(ps -e -o pgid= -o stat= 2>/dev/null) || { kill -0 -${pid} 2>/dev/null; return; }`,
    `  printf '%s\n' "$out" | awk '$1 == ${pid} && $2 !~ /^Z/ { found = 1 } END { exit !found }'`,
    '}',
    'i=0',
    'while alive; do',
    '  i=$((i+1))',
    `  if [ "$i" -ge 30 ]; then kill -KILL -${pid} 2>/dev/null; exit 0; fi`,
    '  sleep 0.1',
    'done',
  ].join('\n');
}

function waitForClose(channel: ClientChannel): Promise<void> {
  return new Promise((resolve) => channel.once('close', () => resolve()));
}

/** Kills a remote process group over a second channel; resolves once it is gone (or the attempt failed). */
async function killRemoteGroup(pool: SshPool, target: SshTarget, pid: number): Promise<void> {
  const signal = AbortSignal.timeout(KILL_TIMEOUT_MS);
  let lease: SessionLease<ClientChannel> | undefined;
  try {
    lease = await pool.openSession(target, (client) => openExecChannel(client, shellCommand(['sh', '-c', killGroupScript(pid)])), {
      signal,
      urgent: true,
    });
    const channel = lease.value;
    channel.on('error', () => {});
    channel.resume();
    channel.stderr.resume();
    channel.end();
    const closed = waitForClose(channel);
    signal.addEventListener('abort', () => channel.close(), { once: true });
    await closed;
  } catch (error) {
    pool.log.add('warn', 'cancel', `could not kill remote process group ${pid}: ${(error as Error).message}`, poolKey(target));
  } finally {
    lease?.release();
  }
}

/**
 * Runs `argv` on the target (every argument quoted by shellCommand) and streams its
 * output. A non-zero exit is a result, not an error; errors are AppErrors: TIMEOUT,
 * CANCELLED, SSH_DISCONNECTED (connection lost mid-command), SSH_* from connecting.
 */
export async function exec(pool: SshPool, target: SshTarget, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const where = poolKey(target);
  const program = argv[0] ?? '';
  const stop = new AbortController();
  let stopReason: AppError | undefined;
  const stopWith = (error: AppError): void => {
    if (stopReason) return;
    stopReason = error;
    stop.abort();
  };
  const onCallerAbort = (): void => stopWith(new AppError('CANCELLED', `${program} on ${where} was cancelled`, { target: where, program }));
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            stopWith(
              new AppError('TIMEOUT', `${program} on ${where} did not finish within ${options.timeoutMs} ms`, {
                target: where,
                program,
                timeoutMs: options.timeoutMs,
              }),
            ),
          options.timeoutMs,
        );
  try {
    let lease: SessionLease<ClientChannel>;
    try {
      lease = await pool.openSession(target, (client) => openExecChannel(client, wrapCommand(argv, options.cwd)), {
        signal: stop.signal,
      });
    } catch (error) {
      throw stopReason ?? error;
    }
    return await runOnChannel(pool, target, lease, options, stop.signal, () => stopReason);
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function runOnChannel(
  pool: SshPool,
  target: SshTarget,
  lease: SessionLease<ClientChannel>,
  options: ExecOptions,
  stopSignal: AbortSignal,
  stopReason: () => AppError | undefined,
): Promise<ExecResult> {
  const channel = lease.value;
  const where = poolKey(target);
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const stdout = new CappedOutput(maxBytes, options.onStdout);
  const stderr = new CappedOutput(maxBytes, options.onStderr);
  let pid: number | undefined;
  let pidListener: (() => void) | undefined;
  const marker = new PidMarkerFilter(
    (found) => {
      pid = found;
      pidListener?.();
    },
    (chunk) => stdout.push(chunk),
  );
  let exitCode: number | null = null;
  let exitSignal: string | null = null;
  let sawExit = false;

  // A channel torn down with the connection may emit 'error'; the close that follows decides the outcome.
  channel.on('error', (error: Error) => pool.log.add('debug', 'channel', `channel error: ${error.message}`, where));
  channel.stderr.on('error', () => {});
  channel.on('data', (chunk: Buffer) => marker.push(chunk));
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const recordExit = (code: unknown, signalName?: unknown): void => {
    if (sawExit || (code === undefined && signalName === undefined)) return;
    sawExit = true;
    exitCode = typeof code === 'number' ? code : null;
    // ssh2 reports `SIGKILL`; the protocol (and `kill -l`) say `KILL`.
    exitSignal = typeof signalName === 'string' ? signalName.replace(/^SIG/, '') : null;
  };
  // A fast command's exit-status can arrive before this listener exists (the channel was
  // opened a few ticks earlier): ssh2 repeats it as the arguments of 'close', which cannot
  // fire before we read the output, so the close is where a missed exit is recovered.
  channel.on('exit', recordExit);
  channel.on('close', recordExit);
  const closed = waitForClose(channel);

  const pidKnown = (): Promise<number | undefined> =>
    pid !== undefined
      ? Promise.resolve(pid)
      : new Promise((resolve) => {
          const timer = setTimeout(() => resolve(pid), PID_WAIT_MS);
          pidListener = () => {
            clearTimeout(timer);
            resolve(pid);
          };
          void closed.then(() => {
            clearTimeout(timer);
            resolve(pid);
          });
        });

  const terminate = async (): Promise<never> => {
    const remotePid = await pidKnown();
    // sshd keeps a session open while its process lives, so the kill comes first and
    // the channel's close follows it.
    channel.close();
    if (remotePid !== undefined && !lease.connection.closed) await killRemoteGroup(pool, target, remotePid);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    lease.release();
    throw stopReason() as AppError;
  };

  return new Promise<ExecResult>((resolve, reject) => {
    let terminating = false;
    const onStop = (): void => {
      if (terminating) return;
      terminating = true;
      terminate().catch(reject);
    };
    stopSignal.addEventListener('abort', onStop, { once: true });
    if (options.stdin !== undefined) channel.end(options.stdin);
    else channel.end();

    void closed.then(() => {
      if (terminating) return;
      stopSignal.removeEventListener('abort', onStop);
      marker.flush();
      lease.release();
      if (!sawExit && lease.connection.closed) {
        const lost = lease.connection.lastError;
        reject(
          new AppError('SSH_DISCONNECTED', `Connection to ${where} was lost while the command ran`, {
            target: where,
            ...(lost ? { cause: lost.message } : {}),
          }),
        );
        return;
      }
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
      });
    });
    if (stopSignal.aborted) onStop();
  });
}
