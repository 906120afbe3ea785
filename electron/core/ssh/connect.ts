import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client } from 'ssh2';
import { AppError } from '../../../shared/contract/errors';
import { authFailure, createAuthHandler, type AuthDeps, type AuthRecord } from './auth';
import { isTransientConnectError, toSshError } from './errors';
import type { HostKeyVerifier } from './host-verifier';
import type { SshDebugLog } from './log';
import { portOf, type SshAuthConfig, type SshHop } from './target';
import type { TimerHandle, Timers } from './timers';

export interface ConnectRequest {
  hop: SshHop;
  auth: SshAuthConfig;
  /** How the connection is named in logs and errors (includes the jump chain). */
  where: string;
  via?: string;
  /** A stream to the server (a jump host's forwarded channel) instead of a TCP socket. */
  sock?: Duplex;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  signal?: AbortSignal;
  /**
   * Called around every wait on the admin (host-key approval, passphrase, prompts):
   * the caller gives back its connect permits meanwhile and takes them again after.
   */
  onHumanWait?: { start(): void; end(): Promise<void> };
}

export interface ConnectDeps {
  hostKeys: HostKeyVerifier;
  auth: AuthDeps;
  log: SshDebugLog;
  timers: Timers;
}

/**
 * Opens one authenticated ssh2 Client. Every failure (socket, handshake, host key,
 * authentication, timeout, cancel) rejects with an AppError; the 'error' listener
 * attached here stays for the client's life, so no ssh2 error is ever unhandled.
 * The timeout counts machine time only: it stops while the admin is being asked.
 */
export function connectClient(request: ConnectRequest, deps: ConnectDeps): Promise<Client> {
  const { hop, where, log, timers } = { ...request, ...deps };
  const port = portOf(hop);
  return new Promise<Client>((resolve, reject) => {
    const client = new ssh2.Client();
    const record: AuthRecord = { offered: [], tried: [], skipped: [], exhausted: false };
    const attempt = new AbortController();
    let settled = false;
    let hostKeyFailure: AppError | undefined;
    let timer: TimerHandle | undefined;
    let humanWaits = 0;

    const armTimer = (): void => {
      timer = timers.setTimeout(
        () => fail(new AppError('TIMEOUT', `Timed out after ${request.timeoutMs} ms connecting to ${where}`, { target: where })),
        request.timeoutMs,
      );
    };
    const disarmTimer = (): void => {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    };
    const detachAbort = (): void => request.signal?.removeEventListener('abort', onAbort);
    const fail = (error: AppError): void => {
      if (settled) return;
      settled = true;
      disarmTimer();
      detachAbort();
      attempt.abort();
      log.add('warn', 'connect-failed', `${error.code}: ${error.message}`, where);
      client.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new AppError('CANCELLED', `Connecting to ${where} was cancelled`));

    const waitForHuman = async <T>(work: Promise<T>): Promise<T> => {
      if (humanWaits++ === 0) {
        disarmTimer();
        request.onHumanWait?.start();
      }
      try {
        return await work;
      } finally {
        if (--humanWaits === 0 && !settled) {
          await request.onHumanWait?.end();
          if (!settled) armTimer();
        }
      }
    };

    client.on('error', (error: Error & { level?: string }) => {
      if (settled) return;
      // ssh2 reports a failing agent or key and then goes on with the next method.
      if (error.level === 'agent' || (error.level === 'client-authentication' && !record.exhausted)) {
        log.add('debug', 'auth', `${error.level}: ${error.message}`, where);
        return;
      }
      if (record.exhausted) return fail(authFailure(where, record));
      if (hostKeyFailure) return fail(hostKeyFailure);
      const mapped = toSshError(error, where, 'connect');
      fail(
        isTransientConnectError(error)
          ? new AppError(mapped.code, mapped.message, { ...mapped.details, transient: true })
          : mapped,
      );
    });
    client.on('close', () => {
      if (settled) return;
      if (hostKeyFailure) return fail(hostKeyFailure);
      if (record.exhausted) return fail(authFailure(where, record));
      fail(new AppError('SSH_CONNECT', `Connection to ${where} closed during the handshake`, { target: where, transient: true }));
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      disarmTimer();
      detachAbort();
      log.add('info', 'ready', `authenticated as ${hop.user} (${record.tried[record.tried.length - 1] ?? 'none'})`, where);
      resolve(client);
    });

    if (request.signal?.aborted) return onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    log.add('info', 'connect', request.via ? `connecting via ${request.via}` : 'connecting', where);
    try {
      client.connect({
        host: hop.host,
        port,
        username: hop.user,
        ...(request.sock ? { sock: request.sock } : {}),
        // Our own timer replaces readyTimeout: it must pause while the admin decides.
        readyTimeout: 0,
        keepaliveInterval: request.keepaliveIntervalMs,
        keepaliveCountMax: request.keepaliveCountMax,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          waitForHuman(
            deps.hostKeys.verify(hop.host, port, key, {
              target: where,
              ...(request.via ? { via: request.via } : {}),
              ...(hop.knownHostsFiles ? { trustedPaths: hop.knownHostsFiles } : {}),
              signal: attempt.signal,
            }),
          ).then(
            () => verify(true),
            (error: unknown) => {
              hostKeyFailure = toSshError(error, where, 'connect');
              verify(false);
            },
          );
        },
        authHandler: createAuthHandler(hop, request.auth, where, deps.auth, record, waitForHuman),
      });
      armTimer();
    } catch (error) {
      fail(toSshError(error, where, 'connect'));
    }
  });
}
