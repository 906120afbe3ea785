import type { Client } from 'ssh2';
import type { AppError } from '../../../shared/contract/errors';
import { toSshError } from './errors';
import type { SshDebugLog } from './log';

/**
 * One authenticated SSH connection in the pool and what uses it: session channels
 * (exec, SFTP) up to `sessionCap`, child connections tunnelled through it (it is
 * their jump host), and holds (port forwards).
 */
export class SshConnection {
  sessionCap: number;
  /** Session slots taken (channels opening or open). */
  activeSessions = 0;
  /** Session channels the server confirmed and that are still open. */
  openSessions = 0;
  /** The most sessions the server ever had open at once for us: proof of what it allows. */
  peakOpenSessions = 0;
  children = 0;
  holds = 0;
  closed = false;
  /** Set once another connection was tunnelled through this one: it then closes with its last child. */
  wasJumpHost = false;
  /** The error that ended the connection, if it did not end by our request. */
  lastError: AppError | undefined;
  private closing = false;
  private readonly closeListeners = new Set<() => void>();

  constructor(
    readonly id: number,
    readonly key: string,
    readonly client: Client,
    sessionCap: number,
    readonly parent: SshConnection | undefined,
    private readonly log: SshDebugLog,
  ) {
    this.sessionCap = sessionCap;
    client.on('error', (error: Error) => {
      this.lastError = toSshError(error, key, 'connected');
      log.add('warn', 'error', this.lastError.message, key);
    });
    client.on('close', () => {
      this.closed = true;
      log.add(this.closing ? 'info' : 'warn', 'closed', this.closing ? 'closed' : 'connection lost', key);
      for (const listener of this.closeListeners) listener();
      this.closeListeners.clear();
    });
  }

  /** True when the connection was closed by the pool (idle, explicit close), not lost. */
  get closedOnRequest(): boolean {
    return this.closing;
  }

  get idle(): boolean {
    return this.activeSessions === 0 && this.children === 0 && this.holds === 0;
  }

  /**
   * Whether one more session may start. Urgent work (killing a cancelled command)
   * may use one slot beyond the cap, so cancelling every running command at once
   * cannot deadlock on slots held by those very commands.
   */
  canTakeSession(reserve: boolean): boolean {
    return this.usable && this.activeSessions < this.sessionCap + (reserve ? 1 : 0);
  }

  sessionOpened(): void {
    this.openSessions++;
    this.peakOpenSessions = Math.max(this.peakOpenSessions, this.openSessions);
  }

  get usable(): boolean {
    return !this.closed && !this.closing;
  }

  /** Calls the listener once when the connection is gone (at once if it already is). */
  onClose(listener: () => void): () => void {
    if (this.closed) {
      listener();
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * The server refused a session. It allows at most what it has shown it allows
   * (the peak of sessions it kept open for us); returns whether the cap went down.
   * A refusal at or below the proven level is churn: OpenSSH frees a closed
   * session's slot only after its main loop has collected it.
   */
  learnSessionLimit(): boolean {
    const cap = Math.max(1, Math.min(this.sessionCap, this.peakOpenSessions));
    if (cap >= this.sessionCap) return false;
    this.log.add('info', 'session-limit', `server refused a session with ${this.openSessions} open; cap now ${cap}`, this.key);
    this.sessionCap = cap;
    return true;
  }

  /** Ends the connection; resolves once the socket is closed (forcibly after `graceMs`). */
  close(graceMs = 2000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => this.client.destroy(), graceMs);
      force.unref();
      this.onClose(() => {
        clearTimeout(force);
        resolve();
      });
      if (!this.closing) {
        this.closing = true;
        this.client.end();
      }
    });
  }
}
