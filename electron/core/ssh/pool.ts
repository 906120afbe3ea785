import { setMaxListeners } from 'node:events';
import type { Client } from 'ssh2';
import { AppError, type ErrorCode } from '../../../shared/contract/errors';
import type { AuthDeps } from './auth';
import { openForwardChannel } from './channels';
import { connectClient } from './connect';
import { SshConnection } from './connection';
import { isChannelOpenRefusal, onAbort, toSshError } from './errors';
import type { HostKeyVerifier } from './host-verifier';
import { PrivateKeyLoader } from './keys';
import { KeyedLimiter, Limiter } from './limiter';
import { SshDebugLog } from './log';
import type { AnswerPrompts, AskPassphrase } from './prompts';
import { parentOf, poolKey, portOf, type SshAuthConfig, type SshTarget } from './target';
import { delay, systemTimers, type TimerHandle, type Timers } from './timers';

export interface SshPoolOptions {
  /** Session channels per connection; below OpenSSH's default MaxSessions of 10. */
  channelsPerConnection?: number;
  /** Extra connections opened to one target when its server allows fewer sessions. */
  maxConnectionsPerTarget?: number;
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before a connection is declared dead. */
  keepaliveCountMax?: number;
  /** An unused connection is closed after this long. */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Handshakes in flight across the pool. */
  maxConcurrentConnects?: number;
  /** Handshakes in flight to one host:port (keeps a server under its MaxStartups). */
  maxConcurrentConnectsPerEndpoint?: number;
  /** Wait before reconnecting after failures: initial, doubling up to max. */
  reconnectBackoff?: { initialMs: number; maxMs: number };
  /** Auth settings for hops that do not carry their own. */
  defaultAuth?: SshAuthConfig;
}

export interface SshPoolDeps {
  hostKeys: HostKeyVerifier;
  askPassphrase?: AskPassphrase;
  answerPrompts?: AnswerPrompts;
  /** Defaults to a loader that asks `askPassphrase`. */
  keys?: PrivateKeyLoader;
  log?: SshDebugLog;
  timers?: Timers;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export interface SessionLease<T> {
  value: T;
  connection: SshConnection;
  /** Gives the session slot back (idempotent). Call it when the channel has closed. */
  release: () => void;
}

export interface ConnectionHold {
  connection: SshConnection;
  /** Lets the connection go idle again (idempotent). */
  release: () => void;
}

export interface PoolStats {
  key: string;
  queued: number;
  connections: Array<{ id: number; activeSessions: number; sessionCap: number; children: number; holds: number }>;
}

type Use = 'session' | 'hold' | 'child';

interface Waiter {
  use: Use;
  /** May use the connection's one slot beyond the cap (urgent work). */
  reserve: boolean;
  resolve: (connection: SshConnection) => void;
  reject: (error: AppError) => void;
}

interface TargetGroup {
  key: string;
  target: SshTarget;
  connections: SshConnection[];
  connecting: number;
  sessionWaiters: Waiter[];
  /** Holds and jump children: any usable connection will do. */
  connectionWaiters: Waiter[];
  failures: number;
  retryAt: number;
  /** A connection of this target was lost: the next one is a reconnect. */
  lost: boolean;
}

const MAX_OPEN_ATTEMPTS = 6;
const CHURN_RETRY_MS = 10;
const BACKOFF_CODES = new Set<ErrorCode>(['SSH_CONNECT', 'SSH_DISCONNECTED', 'TIMEOUT']);

const defaults = {
  channelsPerConnection: 8,
  maxConnectionsPerTarget: 4,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  idleTimeoutMs: 5 * 60_000,
  connectTimeoutMs: 20_000,
  maxConcurrentConnects: 128,
  maxConcurrentConnectsPerEndpoint: 8,
  reconnectBackoff: { initialMs: 500, maxMs: 30_000 },
} satisfies SshPoolOptions;

/**
 * One SSH connection per (user, host, port, jump chain), shared by every feature.
 * Session channels are multiplexed up to a cap with a queue beyond it; a server that
 * refuses a session gets a lower cap and another connection; connections that die
 * are replaced on demand after a backoff; unused ones close after an idle time.
 */
export class SshPool {
  readonly log: SshDebugLog;
  private readonly options: Required<Omit<SshPoolOptions, 'defaultAuth'>> & { defaultAuth: SshAuthConfig };
  private readonly timers: Timers;
  private readonly authDeps: AuthDeps;
  private readonly groups = new Map<string, TargetGroup>();
  private readonly idleTimers = new Map<SshConnection, TimerHandle>();
  private readonly connectLimiter: Limiter;
  private readonly endpointLimiter: KeyedLimiter;
  private readonly lifetime = new AbortController();
  private nextConnectionId = 1;

  constructor(
    private readonly deps: SshPoolDeps,
    options: SshPoolOptions = {},
  ) {
    this.options = { ...defaults, defaultAuth: {}, ...options };
    this.log = deps.log ?? new SshDebugLog();
    this.timers = deps.timers ?? systemTimers;
    this.authDeps = {
      keys: deps.keys ?? new PrivateKeyLoader(deps.askPassphrase),
      log: this.log,
      env: deps.env ?? process.env,
      platform: deps.platform ?? process.platform,
      ...(deps.answerPrompts ? { answerPrompts: deps.answerPrompts } : {}),
    };
    // Every connect in flight listens on the pool's lifetime signal.
    setMaxListeners(0, this.lifetime.signal);
    this.connectLimiter = new Limiter(this.options.maxConcurrentConnects);
    this.endpointLimiter = new KeyedLimiter(this.options.maxConcurrentConnectsPerEndpoint);
  }

  /**
   * Takes a session slot on a connection to the target and opens a channel with
   * `open`. A refusal by the server (MaxSessions) lowers that connection's cap and
   * retries elsewhere; the returned lease must be released when the channel closes.
   * `urgent` work (killing a cancelled command) goes first and may use one slot
   * beyond the cap.
   */
  async openSession<T>(
    target: SshTarget,
    open: (client: Client) => Promise<T>,
    options: { signal?: AbortSignal; urgent?: boolean } = {},
  ): Promise<SessionLease<T>> {
    const group = this.group(target);
    const reserve = options.urgent ?? false;
    let front = reserve;
    for (let attempt = 1; ; attempt++) {
      const connection = await this.take(group, 'session', options.signal, { front, reserve });
      let value: T;
      try {
        value = await open(connection.client);
      } catch (error) {
        const refused = isChannelOpenRefusal(error);
        const capLowered = refused && connection.learnSessionLimit();
        this.giveBack(group, connection, 'session');
        const retry = (refused || connection.closed) && attempt < MAX_OPEN_ATTEMPTS && !options.signal?.aborted;
        if (!retry) {
          throw connection.closed
            ? (connection.lastError ?? toSshError(error, group.key, 'connected'))
            : new AppError('SSH_CHANNEL', `Cannot open a channel on ${group.key}: ${(error as Error).message}`, {
                target: group.key,
              });
        }
        // Churn: give the server's main loop a moment to collect closed sessions.
        if (refused && !capLowered) await delay(this.timers, CHURN_RETRY_MS * 2 ** (attempt - 1), options.signal);
        // A retried request goes ahead of the queue: it has waited already.
        front = true;
        continue;
      }
      connection.sessionOpened();
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        connection.openSessions--;
        this.giveBack(group, connection, 'session');
      };
      return { value, connection, release };
    }
  }

  /** Keeps a connection to the target open (for a port forward) until released. */
  async hold(target: SshTarget, signal?: AbortSignal): Promise<ConnectionHold> {
    const group = this.group(target);
    const connection = await this.take(group, 'hold', signal, { front: false, reserve: false });
    let released = false;
    return {
      connection,
      release: () => {
        if (released) return;
        released = true;
        this.giveBack(group, connection, 'hold');
      },
    };
  }

  /** Closes the target's connections (and, through that, jump hosts no longer needed). */
  async close(target: SshTarget): Promise<void> {
    const group = this.groups.get(poolKey(target));
    if (!group) return;
    await Promise.all(group.connections.map((connection) => connection.close()));
  }

  /** Closes everything; pending requests fail with CANCELLED. The pool is unusable afterwards. */
  async closeAll(): Promise<void> {
    this.lifetime.abort();
    const cancelled = new AppError('CANCELLED', 'The SSH pool was closed');
    const all: SshConnection[] = [];
    for (const group of this.groups.values()) {
      for (const waiter of [...group.sessionWaiters, ...group.connectionWaiters]) waiter.reject(cancelled);
      group.sessionWaiters = [];
      group.connectionWaiters = [];
      all.push(...group.connections);
    }
    for (const handle of this.idleTimers.values()) this.timers.clearTimeout(handle);
    this.idleTimers.clear();
    await Promise.all(all.map((connection) => connection.close()));
  }

  stats(): PoolStats[] {
    return [...this.groups.values()].map((group) => ({
      key: group.key,
      queued: group.sessionWaiters.length + group.connectionWaiters.length,
      connections: group.connections.map((c) => ({
        id: c.id,
        activeSessions: c.activeSessions,
        sessionCap: c.sessionCap,
        children: c.children,
        holds: c.holds,
      })),
    }));
  }

  private group(target: SshTarget): TargetGroup {
    const key = poolKey(target);
    let group = this.groups.get(key);
    if (!group) {
      group = {
        key,
        target,
        connections: [],
        connecting: 0,
        sessionWaiters: [],
        connectionWaiters: [],
        failures: 0,
        retryAt: 0,
        lost: false,
      };
      this.groups.set(key, group);
    } else {
      // The latest caller's settings (e.g. a changed password) are used for the next connect.
      group.target = target;
    }
    return group;
  }

  private take(
    group: TargetGroup,
    use: Use,
    signal: AbortSignal | undefined,
    { front, reserve }: { front: boolean; reserve: boolean },
  ): Promise<SshConnection> {
    if (this.lifetime.signal.aborted) return Promise.reject(new AppError('CANCELLED', 'The SSH pool was closed'));
    const cancelled = (): AppError => new AppError('CANCELLED', `Waiting for a connection to ${group.key} was cancelled`);
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const queue = use === 'session' ? group.sessionWaiters : group.connectionWaiters;
      const detach = onAbort(signal, () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(cancelled());
      });
      const waiter: Waiter = {
        use,
        reserve,
        resolve: (connection) => {
          detach();
          resolve(connection);
        },
        reject: (error) => {
          detach();
          reject(error);
        },
      };
      if (front) queue.unshift(waiter);
      else queue.push(waiter);
      this.pump(group);
    });
  }

  private giveBack(group: TargetGroup, connection: SshConnection, use: Use): void {
    if (use === 'session') connection.activeSessions--;
    else if (use === 'hold') connection.holds--;
    else connection.children--;
    this.afterUseChanged(connection);
    this.pump(group);
  }

  /** Hands free slots and connections to waiters, and opens a connection when one is needed. */
  private pump(group: TargetGroup): void {
    for (;;) {
      const connection = group.connections.find((c) => c.usable);
      const waiter = connection && group.connectionWaiters.shift();
      if (!connection || !waiter) break;
      if (waiter.use === 'hold') connection.holds++;
      else {
        connection.children++;
        connection.wasJumpHost = true;
      }
      this.afterUseChanged(connection);
      waiter.resolve(connection);
    }
    for (;;) {
      const head = group.sessionWaiters[0];
      const connection = head && group.connections.find((c) => c.canTakeSession(head.reserve));
      if (!connection) break;
      const waiter = group.sessionWaiters.shift() as Waiter;
      connection.activeSessions++;
      this.afterUseChanged(connection);
      waiter.resolve(connection);
    }
    if (this.needsConnection(group)) void this.openConnection(group);
  }

  private needsConnection(group: TargetGroup): boolean {
    if (group.connecting > 0 || this.lifetime.signal.aborted) return false;
    if (group.sessionWaiters.length === 0 && group.connectionWaiters.length === 0) return false;
    const usable = group.connections.filter((c) => c.usable);
    if (usable.length === 0) return true;
    if (group.sessionWaiters.length === 0) return false;
    const capacity = usable.reduce((sum, c) => sum + c.sessionCap, 0);
    return capacity < this.options.channelsPerConnection && usable.length < this.options.maxConnectionsPerTarget;
  }

  private async openConnection(group: TargetGroup): Promise<void> {
    group.connecting++;
    try {
      const wait = group.retryAt - this.timers.now();
      if (wait > 0) {
        this.log.add('info', 'reconnect', `waiting ${wait} ms before reconnecting (attempt ${group.failures + 1})`, group.key);
        await delay(this.timers, wait, this.lifetime.signal);
      }
      if (group.lost) this.log.add('info', 'reconnect', 'replacing a lost connection', group.key);
      const connection = await this.establish(group.target);
      if (this.lifetime.signal.aborted) {
        void connection.close();
        return;
      }
      group.failures = 0;
      group.retryAt = 0;
      group.lost = false;
      group.connections.push(connection);
      connection.onClose(() => this.onConnectionClosed(group, connection));
      this.afterUseChanged(connection);
    } catch (error) {
      const failure = toSshError(error, group.key, 'connect');
      // Backoff is for unreachable hosts; a refused key or login is retried when asked.
      if (BACKOFF_CODES.has(failure.code)) {
        group.failures++;
        const { initialMs, maxMs } = this.options.reconnectBackoff;
        group.retryAt = this.timers.now() + Math.min(maxMs, initialMs * 2 ** (group.failures - 1));
      }
      if (!group.connections.some((c) => c.usable)) {
        const waiters = [...group.sessionWaiters, ...group.connectionWaiters];
        group.sessionWaiters = [];
        group.connectionWaiters = [];
        for (const waiter of waiters) waiter.reject(failure);
      }
    } finally {
      group.connecting--;
      this.pump(group);
    }
  }

  /** Connects to the target, through its jump chain when it has one. */
  private async establish(target: SshTarget): Promise<SshConnection> {
    const key = poolKey(target);
    const parentTarget = parentOf(target);
    const parent = parentTarget
      ? await this.take(this.group(parentTarget), 'child', this.lifetime.signal, { front: false, reserve: false })
      : undefined;
    try {
      const client = await this.connectWithLimits(target, key, parent);
      const connection = new SshConnection(
        this.nextConnectionId++,
        key,
        client,
        this.options.channelsPerConnection,
        parent,
        this.log,
      );
      return connection;
    } catch (error) {
      if (parent) this.giveBack(this.group(parentTarget!), parent, 'child');
      throw error;
    }
  }

  private async connectWithLimits(target: SshTarget, key: string, parent: SshConnection | undefined): Promise<Client> {
    const endpoint = `${target.host}:${portOf(target)}`;
    const signal = this.lifetime.signal;
    const takePermits = async (): Promise<() => void> => {
      const releaseGlobal = await this.connectLimiter.acquire(signal);
      try {
        const releaseEndpoint = await this.endpointLimiter.acquire(endpoint, signal);
        return () => {
          releaseEndpoint();
          releaseGlobal();
        };
      } catch (error) {
        releaseGlobal();
        throw error;
      }
    };
    let releasePermits: (() => void) | undefined = await takePermits();
    const onHumanWait = {
      start: () => {
        releasePermits?.();
        releasePermits = undefined;
      },
      end: async () => {
        releasePermits = await takePermits();
      },
    };
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const sock = parent ? await openForwardChannel(parent.client, target.host, portOf(target)) : undefined;
          return await connectClient(
            {
              hop: target,
              auth: target.auth ?? this.options.defaultAuth,
              where: key,
              ...(parent ? { via: parent.key, sock } : {}),
              timeoutMs: this.options.connectTimeoutMs,
              keepaliveIntervalMs: this.options.keepaliveIntervalMs,
              keepaliveCountMax: this.options.keepaliveCountMax,
              signal,
              onHumanWait,
            },
            { hostKeys: this.deps.hostKeys, auth: this.authDeps, log: this.log, timers: this.timers },
          );
        } catch (error) {
          const transient = error instanceof AppError && error.details?.transient === true;
          if (!transient || attempt >= 2 || signal.aborted) throw toSshError(error, key, 'connect');
          this.log.add('info', 'reconnect', 'dropped during the handshake; retrying once', key);
        }
      }
    } finally {
      releasePermits?.();
    }
  }

  private onConnectionClosed(group: TargetGroup, connection: SshConnection): void {
    group.connections = group.connections.filter((c) => c !== connection);
    if (!connection.closedOnRequest) group.lost = true;
    const idle = this.idleTimers.get(connection);
    if (idle !== undefined) this.timers.clearTimeout(idle);
    this.idleTimers.delete(connection);
    if (connection.parent) {
      const parentTarget = parentOf(group.target);
      if (parentTarget) this.giveBack(this.group(parentTarget), connection.parent, 'child');
    }
    if (!this.lifetime.signal.aborted) this.pump(group);
    if (group.connections.length === 0 && group.connecting === 0 && group.failures === 0 && !group.lost) {
      if (group.sessionWaiters.length === 0 && group.connectionWaiters.length === 0) this.groups.delete(group.key);
    }
  }

  /**
   * Keeps idle bookkeeping right after any use count changed: a jump host closes as
   * soon as its last child and user are gone; other connections after the idle time.
   */
  private afterUseChanged(connection: SshConnection): void {
    const pending = this.idleTimers.get(connection);
    if (pending !== undefined) {
      this.timers.clearTimeout(pending);
      this.idleTimers.delete(connection);
    }
    if (!connection.idle || !connection.usable) return;
    if (connection.wasJumpHost) {
      this.log.add('info', 'idle', 'last child connection closed; closing jump connection', connection.key);
      void connection.close();
      return;
    }
    this.idleTimers.set(
      connection,
      this.timers.setTimeout(() => {
        this.idleTimers.delete(connection);
        if (connection.idle && connection.usable) {
          this.log.add('info', 'idle', `unused for ${this.options.idleTimeoutMs} ms; closing`, connection.key);
          void connection.close();
        }
      }, this.options.idleTimeoutMs),
    );
  }
}

