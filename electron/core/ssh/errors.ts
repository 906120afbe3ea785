import { AppError } from '../../../shared/contract/errors';

/** What ssh2 attaches to the errors it emits. */
interface Ssh2Error extends Error {
  level?: string;
  code?: string | number;
  reason?: number | string;
}

function asSsh2Error(error: unknown): Ssh2Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Turns an error from ssh2 or the socket into the AppError a caller sees.
 * `phase` says whether the connection had been established: a reset before that
 * is a failed connect, after it a lost connection.
 */
export function toSshError(error: unknown, where: string, phase: 'connect' | 'connected'): AppError {
  if (error instanceof AppError) return error;
  const err = asSsh2Error(error);
  const details: Record<string, unknown> = { target: where };
  if (err.code !== undefined) details.code = err.code;
  if (err.level !== undefined) details.level = err.level;
  switch (err.level) {
    case 'client-authentication':
      return new AppError('SSH_AUTH', `Authentication failed for ${where}: ${err.message}`, details);
    case 'client-timeout':
      return phase === 'connect'
        ? new AppError('TIMEOUT', `Timed out connecting to ${where}`, details)
        : new AppError('SSH_DISCONNECTED', `Connection to ${where} stopped answering (${err.message})`, details);
    case 'handshake':
    case 'protocol':
      return new AppError('SSH_CONNECT', `SSH handshake with ${where} failed: ${err.message}`, details);
    default:
      break;
  }
  if (phase === 'connect') {
    return new AppError('SSH_CONNECT', `Cannot connect to ${where}: ${err.message}`, details);
  }
  return new AppError('SSH_DISCONNECTED', `Connection to ${where} was lost: ${err.message}`, details);
}

/**
 * A connect failure worth one more try: the server dropped us before or during the
 * handshake, which is what MaxStartups throttling looks like from the client.
 */
export function isTransientConnectError(error: unknown): boolean {
  const err = asSsh2Error(error);
  return (
    err.message === 'Connection lost before handshake' ||
    err.code === 'ECONNRESET' ||
    (err.level === 'protocol' && /lost|reset/i.test(err.message))
  );
}

/** The server refused to open a channel (MaxSessions reached, or prohibited): ssh2 sets a numeric reason. */
export function isChannelOpenRefusal(error: unknown): boolean {
  const err = asSsh2Error(error);
  return typeof err.reason === 'number' && err.message.startsWith('(SSH) Channel open failure');
}

export function cancelledError(what: string): AppError {
  return new AppError('CANCELLED', `${what} was cancelled`);
}

/** Calls `listener` once when the signal is (or becomes) aborted; returns the detach function. */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
