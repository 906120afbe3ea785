import { EventEmitter } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { humanDuration, type HostClock } from './clock';
import { defaultStopMs, type PidAllocator, type ProcessBehaviour, type ProcessContext } from './process';

/**
 * A host's Docker containers (for Rocket.Chat's presence service and the like), with
 * the JSON shapes `docker ps --format '{{json .}}'` and `docker inspect` print.
 * Container processes use the same behaviours as systemd units.
 */

export type ContainerStatus = 'created' | 'running' | 'restarting' | 'exited' | 'paused' | 'dead';
export type DockerRestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface PortBinding {
  containerPort: number;
  protocol?: 'tcp' | 'udp';
  /** Published on the host; unpublished ports show as `3000/tcp`. */
  hostPort?: number;
  hostIp?: string;
}

export interface ContainerSpec {
  name: string;
  /** `rocketchat/presence-service:7.0.0` */
  image: string;
  /** The entrypoint plus command, e.g. `["docker-entrypoint.sh", "node", "index.js"]`. */
  command?: string[];
  env?: string[];
  labels?: Record<string, string>;
  ports?: PortBinding[];
  restartPolicy?: DockerRestartPolicy;
  /** The image defines a HEALTHCHECK: status shows `(healthy)` once the behaviour calls `ready()`. */
  healthcheck?: boolean;
  /** Host time the container was created (default: now). */
  createdAtMs?: number;
  /** Start it running since this host time (default: now); `false` leaves it created. */
  runningSinceMs?: number | false;
  behaviour?: ProcessBehaviour;
}

export interface ContainerLogLine {
  timeMs: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export class Container {
  readonly id: string;
  readonly spec: ContainerSpec;
  readonly createdAtMs: number;
  readonly imageId: string;
  status: ContainerStatus = 'created';
  pid = 0;
  exitCode = 0;
  startedAtMs: number | undefined;
  finishedAtMs: number | undefined;
  restartCount = 0;
  /** Set by the behaviour through `ready()` (the container's health check passes). */
  healthy = false;
  readonly logs: ContainerLogLine[] = [];
  context: ProcessContext | undefined;
  abort: AbortController | undefined;
  stopWaiter: (() => void) | undefined;
  cancelRestart: (() => void) | undefined;

  constructor(spec: ContainerSpec, createdAtMs: number) {
    this.spec = spec;
    this.createdAtMs = createdAtMs;
    this.id = randomBytes(32).toString('hex');
    this.imageId = `sha256:${createHash('sha256').update(spec.image).digest('hex')}`;
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.status === 'running' || this.status === 'paused';
  }
}

export class ContainerRuntime extends EventEmitter {
  readonly #containers: Container[] = [];
  readonly #clock: HostClock;
  readonly #pids: PidAllocator;
  #shutDown = false;

  constructor(deps: { clock: HostClock; pids: PidAllocator }) {
    super();
    this.#clock = deps.clock;
    this.#pids = deps.pids;
  }

  add(spec: ContainerSpec): Container {
    const container = new Container(spec, spec.createdAtMs ?? this.#clock.now());
    this.#containers.push(container);
    if (spec.runningSinceMs !== false) this.#run(container, spec.runningSinceMs ?? this.#clock.now(), true);
    return container;
  }

  /** By name (with or without the leading `/`), full id, or unique id prefix. */
  find(ref: string): Container | undefined {
    const name = ref.replace(/^\//, '');
    const byName = this.#containers.find((c) => c.name === name);
    if (byName) return byName;
    const byId = this.#containers.filter((c) => ref.length > 0 && c.id.startsWith(ref));
    return byId.length === 1 ? byId[0] : undefined;
  }

  /** Newest first, as `docker ps` lists them. */
  list(options: { all?: boolean } = {}): Container[] {
    return [...this.#containers]
      .filter((c) => options.all || c.running || c.status === 'restarting')
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  async start(container: Container): Promise<void> {
    if (container.running) return;
    container.cancelRestart?.();
    container.cancelRestart = undefined;
    await this.#clock.sleep(200);
    this.#run(container, this.#clock.now(), false);
  }

  /** SIGTERM, then SIGKILL after `timeoutSec` (docker's default 10 s). */
  async stop(container: Container, timeoutSec = 10): Promise<void> {
    container.cancelRestart?.();
    container.cancelRestart = undefined;
    if (!container.running || !container.context) {
      if (container.status === 'restarting') this.#exit(container, container.exitCode, true);
      return;
    }
    const context = container.context;
    const stopped = new Promise<void>((resolve) => {
      container.stopWaiter = resolve;
    });
    const kill = this.#clock.timer(timeoutSec * 1000, () => this.#exit(container, 137, true));
    const behaviour = container.spec.behaviour;
    if (behaviour?.stop) behaviour.stop(context);
    else context.after(defaultStopMs, () => context.exit(0));
    await stopped;
    kill();
  }

  async restart(container: Container, timeoutSec = 10): Promise<void> {
    await this.stop(container, timeoutSec);
    await this.start(container);
  }

  /** The object `docker ps --format '{{json .}}'` prints (keys sorted as docker does). */
  psFields(container: Container): Record<string, string> {
    const now = this.#clock.now();
    const command = container.spec.command ?? [];
    return {
      Command: JSON.stringify(ellipsis(command.join(' '), 20)),
      CreatedAt: goTime(container.createdAtMs, this.#clock),
      ID: container.id.slice(0, 12),
      Image: container.spec.image,
      Labels: Object.entries(container.spec.labels ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      LocalVolumes: '0',
      Mounts: '',
      Names: container.name,
      Networks: 'bridge',
      Ports: formatPorts(container.spec.ports ?? []),
      RunningFor: `${humanDuration(now - container.createdAtMs)} ago`,
      Size: '0B',
      State: container.status,
      Status: this.statusText(container),
    };
  }

  /** `Up 3 hours`, `Exited (1) 2 minutes ago`, `Restarting (1) 5 seconds ago`, `Created`. */
  statusText(container: Container): string {
    const now = this.#clock.now();
    switch (container.status) {
      case 'running': {
        const up = `Up ${humanDuration(now - (container.startedAtMs ?? now))}`;
        if (!container.spec.healthcheck) return up;
        return `${up} (${container.healthy ? 'healthy' : 'health: starting'})`;
      }
      case 'paused':
        return `Up ${humanDuration(now - (container.startedAtMs ?? now))} (Paused)`;
      case 'restarting':
        return `Restarting (${container.exitCode}) ${humanDuration(now - (container.finishedAtMs ?? now))} ago`;
      case 'exited':
        return `Exited (${container.exitCode}) ${humanDuration(now - (container.finishedAtMs ?? now))} ago`;
      case 'dead':
        return 'Dead';
      default:
        return 'Created';
    }
  }

  /** One element of `docker inspect`'s array. */
  inspect(container: Container): Record<string, unknown> {
    const [path = '', ...args] = container.spec.command ?? [];
    const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
    for (const port of container.spec.ports ?? []) {
      const key = `${port.containerPort}/${port.protocol ?? 'tcp'}`;
      if (port.hostPort === undefined) {
        ports[key] = null;
        continue;
      }
      portBindings[key] = [{ HostIp: port.hostIp ?? '', HostPort: String(port.hostPort) }];
      ports[key] = [
        { HostIp: port.hostIp ?? '0.0.0.0', HostPort: String(port.hostPort) },
        { HostIp: '::', HostPort: String(port.hostPort) },
      ];
    }
    const zeroTime = '0001-01-01T00:00:00Z';
    return {
      Id: container.id,
      Created: rfc3339Nano(container.createdAtMs),
      Path: path,
      Args: args,
      State: {
        Status: container.status,
        Running: container.running,
        Paused: container.status === 'paused',
        Restarting: container.status === 'restarting',
        OOMKilled: false,
        Dead: container.status === 'dead',
        Pid: container.running ? container.pid : 0,
        ExitCode: container.exitCode,
        Error: '',
        StartedAt: container.startedAtMs === undefined ? zeroTime : rfc3339Nano(container.startedAtMs),
        FinishedAt: container.finishedAtMs === undefined ? zeroTime : rfc3339Nano(container.finishedAtMs),
        ...(container.spec.healthcheck
          ? { Health: { Status: !container.running ? 'unhealthy' : container.healthy ? 'healthy' : 'starting', FailingStreak: 0, Log: [] } }
          : {}),
      },
      Image: container.imageId,
      Name: `/${container.name}`,
      RestartCount: container.restartCount,
      Driver: 'overlay2',
      Platform: 'linux',
      HostConfig: {
        NetworkMode: 'bridge',
        PortBindings: portBindings,
        RestartPolicy: { Name: container.spec.restartPolicy ?? 'no', MaximumRetryCount: 0 },
      },
      Config: {
        Hostname: container.id.slice(0, 12),
        Env: container.spec.env ?? [],
        Cmd: args,
        Image: container.spec.image,
        Entrypoint: path ? [path] : null,
        Labels: container.spec.labels ?? {},
      },
      NetworkSettings: { Ports: ports },
    };
  }

  /** Stops every container process silently (host shutdown). */
  shutdown(): void {
    this.#shutDown = true;
    for (const container of this.#containers) {
      container.cancelRestart?.();
      container.abort?.abort(new Error('host stopped'));
    }
  }

  #run(container: Container, sinceMs: number, resumed: boolean): void {
    if (this.#shutDown) return;
    const pid = this.#pids.next();
    const abort = new AbortController();
    const timers = new Set<() => void>();
    abort.signal.addEventListener('abort', () => {
      for (const cancel of timers) cancel();
    });
    container.abort = abort;
    container.pid = pid;
    container.status = 'running';
    container.startedAtMs = sinceMs;
    container.healthy = false;
    const alive = (): boolean => !abort.signal.aborted;
    const context: ProcessContext = {
      pid,
      argv: container.spec.command ?? [],
      owner: container.name,
      image: Buffer.alloc(0),
      manifest: undefined,
      clock: this.#clock,
      resumed,
      signal: abort.signal,
      log: (line, priority = 6) => {
        if (alive()) container.logs.push({ timeMs: this.#clock.now(), stream: priority <= 4 ? 'stderr' : 'stdout', line });
      },
      ready: () => {
        if (alive()) container.healthy = true;
      },
      exit: (status) => {
        if (alive()) this.#exit(container, status, false);
      },
      die: (signal) => {
        if (alive()) this.#exit(container, 128 + signal, false);
      },
      after: (labMs, fn) => {
        if (!alive()) return;
        const cancel = this.#clock.timer(labMs, () => {
          timers.delete(cancel);
          if (alive()) fn();
        });
        timers.add(cancel);
      },
    };
    container.context = context;
    if (container.spec.behaviour) container.spec.behaviour.start(context);
    else context.ready();
    this.emit('change', container);
  }

  #exit(container: Container, code: number, requested: boolean): void {
    container.abort?.abort(new Error('container exited'));
    container.context = undefined;
    container.exitCode = code;
    container.finishedAtMs = this.#clock.now();
    container.pid = 0;
    container.healthy = false;
    const waiter = container.stopWaiter;
    container.stopWaiter = undefined;
    const policy = container.spec.restartPolicy ?? 'no';
    const restarts = !requested && (policy === 'always' || policy === 'unless-stopped' || (policy === 'on-failure' && code !== 0));
    if (restarts) {
      container.status = 'restarting';
      // Docker doubles the delay after each failed restart, starting at 100 ms.
      const delay = 100 * 2 ** Math.min(container.restartCount, 10);
      container.cancelRestart = this.#clock.timer(delay, () => {
        container.cancelRestart = undefined;
        container.restartCount += 1;
        this.#run(container, this.#clock.now(), false);
      });
    } else {
      container.status = 'exited';
    }
    this.emit('change', container);
    waiter?.();
  }
}

/** Go's `time.Time.String()` without the monotonic part: `2026-11-26 10:15:02 +0000 UTC`. */
function goTime(ms: number, clock: HostClock): string {
  return clock.format('%Y-%m-%d %H:%M:%S %z %Z', ms);
}

function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

/** Docker's `stringutils.Ellipsis`. */
function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}\u2026`;
}

function formatPorts(ports: PortBinding[]): string {
  return ports
    .flatMap((port) => {
      const proto = port.protocol ?? 'tcp';
      if (port.hostPort === undefined) return [`${port.containerPort}/${proto}`];
      return [
        `${port.hostIp ?? '0.0.0.0'}:${port.hostPort}->${port.containerPort}/${proto}`,
        `:::${port.hostPort}->${port.containerPort}/${proto}`,
      ];
    })
    .join(', ');
}
