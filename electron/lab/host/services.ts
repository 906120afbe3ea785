import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Accounts } from './accounts';
import type { HostClock } from './clock';
import type { Journal, ManagerMessageKind, ProcessIdentity } from './journal';
import { readLabBinary } from './lab-binary';
import {
  defaultStopMs,
  formatExitStatus,
  isCleanExit,
  labBinaryBehaviour,
  signalName,
  type ExitInfo,
  type PidAllocator,
  type ProcessBehaviour,
  type ProcessContext,
} from './process';
import { parseUnitConfig, type RestartPolicy, type UnitConfig } from './unit-file';
import { isVfsError, type FileNode, type Vfs } from './vfs';

/**
 * A host's service manager, modelled on systemd 252 (Debian 12): units are read from
 * unit files on the host's VFS, move through activating -> active -> deactivating ->
 * inactive/failed with delays that go through the lab clock, restart according to
 * Restart=, hit the start rate limit in a crash loop, and log every transition to the
 * journal in systemd's words.
 */

export type ActiveState = 'active' | 'reloading' | 'inactive' | 'failed' | 'activating' | 'deactivating';
export type LoadState = 'loaded' | 'not-found' | 'bad-setting';
export type JobResult = 'done' | 'failed';

export const unitSearchPaths = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system'];

/** Lab delay between fork and exec of a main process. */
const spawnMs = 20;

interface RunningProcess {
  pid: number;
  argv: string[];
  identity: ProcessIdentity;
  context: ProcessContext;
  abort: AbortController;
  releaseImage: () => void;
  ready: boolean;
  ended: boolean;
}

export class Unit {
  readonly name: string;
  loadState: LoadState = 'not-found';
  fragmentPath = '';
  dropInPaths: string[] = [];
  /** The unit file texts as of the last daemon-reload (for NeedDaemonReload=). */
  loadedTexts: string[] = [];
  config: UnitConfig;
  activeState: ActiveState = 'inactive';
  subState = 'dead';
  result = 'success';
  mainPid = 0;
  nRestarts = 0;
  execMain: { pid: number; startMs?: number; exitMs?: number; exit?: ExitInfo } = { pid: 0 };
  stamps: { stateChange?: number; activeEnter?: number; activeExit?: number; inactiveEnter?: number; inactiveExit?: number } = {};
  invocationId = '';
  behaviour: ProcessBehaviour | undefined;
  process: RunningProcess | undefined;
  /** Lab times of recent starts, for StartLimitBurst= within StartLimitIntervalSec=. */
  startTimes: number[] = [];
  /** Set while Restart= waits out RestartSec= (`activating (auto-restart)`). */
  cancelAutoRestart: (() => void) | undefined;
  /** Set between fork and exec of the main process (the lab's spawn delay): no process to signal yet. */
  cancelSpawn: (() => void) | undefined;
  /**
   * systemd's flush_n_restarts: the unit died for good (no restart scheduled), so the next start
   * zeroes NRestarts. A stop that cancels a pending restart does not set it.
   */
  flushRestarts = false;
  /** The pending start job, resolved when the unit is up or the start failed. */
  startJob: ((result: JobResult) => void) | undefined;
  /** Set while a stop job runs (the main process exit is then expected). */
  stopping: { resolve: () => void; cancelTimeout: () => void } | undefined;

  constructor(name: string) {
    this.name = name;
    this.config = parseUnitConfig(name, []);
  }

  get description(): string {
    return this.config.description;
  }

  /** Does the unit have a live main process? (What simulators tie endpoints to.) */
  get running(): boolean {
    return this.process !== undefined && !this.process.ended;
  }
}

export interface InstallUnitOptions {
  /** `voms-server` or `voms-server.service`. */
  name: string;
  /** The whole unit file; or give `execStart` etc. and a file is written for you. */
  unitText?: string;
  description?: string;
  execStart?: string;
  type?: UnitConfig['type'];
  restart?: RestartPolicy;
  restartSec?: string;
  user?: string;
  workingDirectory?: string;
  /** Where the unit file goes; default /etc/systemd/system/NAME. */
  directory?: string;
  enabled?: boolean;
  behaviour?: ProcessBehaviour;
}

export class ServiceManager extends EventEmitter {
  readonly #units = new Map<string, Unit>();
  readonly #vfs: Vfs;
  readonly #journal: Journal;
  readonly #clock: HostClock;
  readonly #pids: PidAllocator;
  readonly #accounts: Accounts;
  /** Set by shutdown(): pending timers then start nothing new. */
  #shutDown = false;

  constructor(deps: { vfs: Vfs; journal: Journal; clock: HostClock; pids: PidAllocator; accounts: Accounts }) {
    super();
    this.#vfs = deps.vfs;
    this.#journal = deps.journal;
    this.#clock = deps.clock;
    this.#pids = deps.pids;
    this.#accounts = deps.accounts;
  }

  // ---- units and unit files --------------------------------------------------

  /** Writes a unit file to the VFS, reloads, and optionally enables it. */
  install(options: InstallUnitOptions): Unit {
    const name = normalizeUnitName(options.name);
    const directory = options.directory ?? '/etc/systemd/system';
    const text = options.unitText ?? renderUnitFile(options);
    this.#vfs.mkdir(directory, { parents: true });
    this.#vfs.writeFile(`${directory}/${name}`, text);
    if (options.behaviour) this.setBehaviour(name, options.behaviour);
    this.daemonReload();
    if (options.enabled ?? true) this.enable(name);
    return this.unit(name);
  }

  setBehaviour(name: string, behaviour: ProcessBehaviour): void {
    this.#ensure(normalizeUnitName(name)).behaviour = behaviour;
  }

  /** The unit; an unknown name gives a `not-found` unit, as systemctl shows it. */
  unit(name: string): Unit {
    const normalized = normalizeUnitName(name);
    return this.#units.get(normalized) ?? new Unit(normalized);
  }

  /** Loaded units, sorted by name. */
  units(): Unit[] {
    return [...this.#units.values()].filter((u) => u.loadState !== 'not-found').sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Re-reads unit files from the VFS, as `systemctl daemon-reload`. */
  daemonReload(): void {
    const found = new Map<string, string>();
    for (const directory of unitSearchPaths) {
      let entries: Array<{ name: string }>;
      try {
        entries = this.#vfs.readdir(directory);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (!entry.name.endsWith('.service') || found.has(entry.name)) continue;
        const path = `${directory}/${entry.name}`;
        try {
          if (this.#vfs.stat(path).kind === 'file') found.set(entry.name, path);
        } catch {
          // A dangling symlink is not a unit file.
        }
      }
    }
    for (const [name, path] of found) {
      const unit = this.#ensure(name);
      const dropIns = this.#dropInPaths(name);
      const texts = [path, ...dropIns].map((p) => this.#vfs.readFile(p).toString('utf8'));
      unit.fragmentPath = path;
      unit.dropInPaths = dropIns;
      unit.loadedTexts = texts;
      unit.config = parseUnitConfig(name, texts);
      unit.loadState = unit.config.execStart.length > 0 ? 'loaded' : 'bad-setting';
    }
    for (const unit of this.#units.values()) {
      if (found.has(unit.name)) continue;
      unit.loadState = 'not-found';
      unit.fragmentPath = '';
      unit.loadedTexts = [];
    }
  }

  /** True when unit files changed on disk since the last daemon-reload. */
  needsDaemonReload(name: string): boolean {
    const unit = this.unit(name);
    if (unit.loadState === 'not-found') return false;
    try {
      const paths = [unit.fragmentPath, ...this.#dropInPaths(unit.name)];
      const texts = paths.map((p) => this.#vfs.readFile(p).toString('utf8'));
      return texts.length !== unit.loadedTexts.length || texts.some((t, i) => t !== unit.loadedTexts[i]);
    } catch {
      return true;
    }
  }

  /** `enabled`, `disabled`, `static` (no [Install]) or `not-found`. */
  enablement(name: string): 'enabled' | 'disabled' | 'static' | 'not-found' {
    const unit = this.unit(name);
    if (unit.loadState === 'not-found') return 'not-found';
    if (unit.config.wantedBy.length === 0) return 'static';
    return unit.config.wantedBy.some((target) => this.#vfs.exists(`/etc/systemd/system/${target}.wants/${unit.name}`))
      ? 'enabled'
      : 'disabled';
  }

  /** Creates the `.wants/` symlinks; returns the lines `systemctl enable` prints. */
  enable(name: string): string[] {
    const unit = this.unit(name);
    const lines: string[] = [];
    for (const target of unit.config.wantedBy) {
      const link = `/etc/systemd/system/${target}.wants/${unit.name}`;
      if (this.#vfs.exists(link)) continue;
      this.#vfs.mkdir(posix.dirname(link), { parents: true });
      this.#vfs.symlink(unit.fragmentPath, link);
      lines.push(`Created symlink ${link} \u2192 ${unit.fragmentPath}.`);
    }
    return lines;
  }

  disable(name: string): string[] {
    const unit = this.unit(name);
    const lines: string[] = [];
    for (const target of unit.config.wantedBy) {
      const link = `/etc/systemd/system/${target}.wants/${unit.name}`;
      if (!this.#vfs.exists(link)) continue;
      this.#vfs.unlink(link);
      lines.push(`Removed "${link}".`);
    }
    return lines;
  }

  // ---- jobs -------------------------------------------------------------------

  /**
   * `systemctl start`: resolves when the start job finishes (unit up, or start failed or cancelled).
   * In `auto-restart` the job waits for the automatic restart, as systemd's does.
   */
  async start(name: string): Promise<JobResult> {
    const unit = this.#loaded(name);
    if (unit.activeState === 'deactivating') await this.waitFor(unit.name, (u) => u.activeState !== 'deactivating');
    if (unit.activeState === 'active' || unit.activeState === 'reloading') return 'done';
    if (unit.activeState === 'activating') return this.#awaitStartJob(unit);
    const job = this.#awaitStartJob(unit);
    this.#beginStart(unit);
    return job;
  }

  /**
   * `systemctl stop`: resolves when the unit is inactive or failed. A stop always wins over a
   * pending start, automatic or not: the start job is cancelled and nothing is spawned after it.
   */
  async stop(name: string): Promise<JobResult> {
    const unit = this.#loaded(name);
    if (unit.cancelAutoRestart) {
      // systemd's service_stop() in auto-restart: straight to dead; Result= and NRestarts= stay.
      unit.cancelAutoRestart();
      unit.cancelAutoRestart = undefined;
      this.#finishStartJob(unit, 'failed');
      this.#log(unit, `Stopped ${this.#label(unit)}.`, { kind: 'stopped' });
      this.#setState(unit, 'inactive', 'dead');
      return 'done';
    }
    if (unit.cancelSpawn) {
      // Forked but not yet exec'd: the child dies of the SIGTERM, a clean end, and nothing restarts it.
      unit.cancelSpawn();
      unit.cancelSpawn = undefined;
      this.#finishStartJob(unit, 'failed');
      unit.result = 'success';
      unit.flushRestarts = true;
      this.#log(unit, `${unit.name}: Deactivated successfully.`, { kind: 'unitResult' });
      this.#log(unit, `Stopped ${this.#label(unit)}.`, { kind: 'stopped' });
      this.#setState(unit, 'inactive', 'dead');
      return 'done';
    }
    if (unit.activeState === 'deactivating') {
      await this.waitFor(unit.name, (u) => u.activeState !== 'deactivating');
      return 'done';
    }
    if (!unit.running) return 'done';
    await new Promise<void>((resolve) => this.#beginStop(unit, resolve));
    return 'done';
  }

  /** `systemctl restart`: stop (if running), then start. */
  async restart(name: string): Promise<JobResult> {
    await this.stop(name);
    return this.start(name);
  }

  /** `systemctl reset-failed`: back to inactive, rate limit and counters cleared. */
  resetFailed(name: string): void {
    const unit = this.unit(name);
    unit.startTimes = [];
    unit.nRestarts = 0;
    unit.flushRestarts = false;
    if (unit.activeState === 'failed') {
      unit.result = 'success';
      this.#setState(unit, 'inactive', 'dead');
    }
  }

  /**
   * The main process exits on its own with `status`, as an OTA client does after
   * replacing the binary: only `Restart=always` (or on-success) brings it back.
   */
  exitMainProcess(name: string, status: number): void {
    this.unit(name).process?.context.exit(status);
  }

  /** The main process dies from a signal (e.g. 9 for the OOM killer). */
  killMainProcess(name: string, signal: number): void {
    this.unit(name).process?.context.die(signal);
  }

  /**
   * Scenario setup: the unit has been running since `sinceMs` (host time) without
   * replaying its boot in the journal beyond a `Started` line at that time.
   */
  bootstrap(name: string, sinceMs: number): void {
    const unit = this.#loaded(name);
    if (unit.running) return;
    unit.invocationId = randomBytes(16).toString('hex');
    unit.startTimes = [];
    this.#journal.manager(unit.name, `Started ${this.#label(unit)}.`, {
      kind: 'started', invocationId: unit.invocationId, atMs: sinceMs,
    });
    if (this.#spawn(unit, true)) {
      unit.execMain.startMs = sinceMs;
      unit.stamps.activeEnter = sinceMs;
      unit.stamps.inactiveExit = sinceMs;
      this.#setState(unit, 'active', 'running', sinceMs);
      this.#runBehaviour(unit);
    }
  }

  /** Resolves once `predicate(unit)` holds (checked on every state change). */
  waitFor(name: string, predicate: (unit: Unit) => boolean, signal?: AbortSignal): Promise<Unit> {
    const unitName = normalizeUnitName(name);
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const unit = this.unit(unitName);
        if (!predicate(unit)) return false;
        cleanup();
        resolve(unit);
        return true;
      };
      const onChange = (changed: Unit): void => {
        if (changed.name === unitName) check();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason ?? new Error('aborted'));
      };
      const cleanup = (): void => {
        this.off('change', onChange);
        signal?.removeEventListener('abort', onAbort);
      };
      this.on('change', onChange);
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /** Stops every process without journal lines (the host is shutting down). */
  shutdown(): void {
    this.#shutDown = true;
    for (const unit of this.#units.values()) {
      unit.cancelAutoRestart?.();
      unit.cancelSpawn?.();
      unit.stopping?.cancelTimeout();
      if (unit.process) this.#endProcess(unit.process);
    }
  }

  // ---- the state machine ----------------------------------------------------------

  #beginStart(unit: Unit): void {
    if (this.#shutDown) return;
    const limitWindow = unit.config.startLimitIntervalMs;
    const now = this.#clock.lab.labNow();
    unit.startTimes = unit.startTimes.filter((t) => now - t < limitWindow);
    if (limitWindow > 0 && unit.config.startLimitBurst > 0 && unit.startTimes.length >= unit.config.startLimitBurst) {
      this.#log(unit, `${unit.name}: Start request repeated too quickly.`, { priority: 4 });
      unit.result = 'start-limit-hit';
      this.#log(unit, `${unit.name}: Failed with result 'start-limit-hit'.`, { priority: 4, kind: 'unitResult' });
      this.#log(unit, `Failed to start ${this.#label(unit)}.`, { priority: 3, kind: 'failedToStart' });
      unit.flushRestarts = true;
      this.#setState(unit, 'failed', 'failed');
      this.#finishStartJob(unit, 'failed');
      return;
    }
    unit.startTimes.push(now);
    // After the unit died for good (not on an automatic restart), a start begins a new count.
    if (unit.flushRestarts) {
      unit.nRestarts = 0;
      unit.flushRestarts = false;
    }
    unit.result = 'success';
    unit.invocationId = randomBytes(16).toString('hex');
    if (unit.config.type !== 'simple') this.#log(unit, `Starting ${this.#label(unit)}...`);
    this.#setState(unit, 'activating', 'start');
    unit.stamps.inactiveExit = this.#clock.now();
    unit.cancelSpawn = this.#clock.timer(spawnMs, () => {
      unit.cancelSpawn = undefined;
      if (this.#shutDown) return;
      if (!this.#spawn(unit, false)) return;
      // For these types systemd reports "Started" at exec, before the program says anything.
      if (unit.config.type === 'simple' || unit.config.type === 'exec') this.#enterRunning(unit);
      this.#runBehaviour(unit);
    });
  }

  /** Hands the fresh main process to its behaviour. */
  #runBehaviour(unit: Unit): void {
    const process = unit.process;
    if (process && !process.ended) (unit.behaviour ?? labBinaryBehaviour).start(process.context);
  }

  /** Forks and execs the main process (its behaviour starts separately); false when exec failed. */
  #spawn(unit: Unit, resumed: boolean): boolean {
    const argv = unit.config.execStart;
    const path = argv[0] ?? '';
    const pid = this.#pids.next();
    unit.mainPid = pid;
    unit.execMain = { pid, startMs: this.#clock.now() };

    let node: FileNode | undefined;
    let failure: string | undefined;
    try {
      const found = this.#vfs.node(path);
      if (found.kind !== 'file') failure = 'Permission denied';
      else if ((found.mode & 0o111) === 0) failure = 'Permission denied';
      else if (!readLabBinary(found.generate ? found.generate() : found.content)) failure = 'Exec format error';
      else node = found;
    } catch (error) {
      failure = isVfsError(error) ? error.strerror : 'No such file or directory';
    }
    if (!node) {
      if (unit.config.type === 'simple') this.#enterRunning(unit);
      this.#log(unit, `${unit.name}: Failed to execute ${path}: ${failure}`, { priority: 3 });
      this.#log(unit, `${unit.name}: Failed at step EXEC spawning ${path}: ${failure}`, { priority: 3 });
      this.#onExit(unit, { code: 'exited', status: 203 });
      return false;
    }

    const image = Buffer.from(node.content);
    const user = this.#accounts.user(unit.config.user);
    const exe = this.#vfs.realpath(path);
    const identity: ProcessIdentity = {
      pid,
      uid: user?.uid ?? 0,
      gid: user?.gid ?? 0,
      exe,
      cmdline: argv.join(' '),
      identifier: unit.config.syslogIdentifier ?? posix.basename(path),
    };
    const abort = new AbortController();
    const timers = new Set<() => void>();
    abort.signal.addEventListener('abort', () => {
      for (const cancel of timers) cancel();
    });
    const process: RunningProcess = {
      pid, argv: [...argv], identity, abort, releaseImage: this.#vfs.holdExecutable(node), ready: false, ended: false,
      context: undefined as unknown as ProcessContext,
    };
    const alive = (): boolean => !process.ended && unit.process === process;
    process.context = {
      pid,
      argv: process.argv,
      owner: unit.name,
      image,
      manifest: readLabBinary(image),
      clock: this.#clock,
      resumed,
      signal: abort.signal,
      log: (message, priority) => {
        if (alive()) this.#journal.process(unit.name, identity, message, { priority, invocationId: unit.invocationId });
      },
      ready: () => {
        if (!alive() || process.ready) return;
        process.ready = true;
        if (unit.activeState === 'activating' && unit.subState === 'start') this.#enterRunning(unit);
      },
      exit: (status) => {
        if (alive()) this.#onExit(unit, { code: 'exited', status });
      },
      die: (signal, dumped = false) => {
        if (alive()) this.#onExit(unit, { code: dumped ? 'dumped' : 'killed', status: signal });
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
    unit.process = process;
    return true;
  }

  #enterRunning(unit: Unit): void {
    const now = this.#clock.now();
    unit.stamps.activeEnter = now;
    this.#log(unit, `Started ${this.#label(unit)}.`, { kind: 'started' });
    this.#setState(unit, 'active', 'running');
    this.#finishStartJob(unit, 'done');
  }

  #beginStop(unit: Unit, resolve: () => void): void {
    const process = unit.process!;
    // systemd announces stopping a unit that was up; one still starting is just signalled.
    if (unit.activeState !== 'activating') {
      this.#log(unit, `Stopping ${this.#label(unit)}...`, { kind: 'stopping' });
      unit.stamps.activeExit = this.#clock.now();
    }
    this.#setState(unit, 'deactivating', 'stop-sigterm');
    const cancelTimeout =
      unit.config.timeoutStopMs === Infinity
        ? () => undefined
        : this.#clock.timer(unit.config.timeoutStopMs, () => {
          if (unit.process !== process || process.ended) return;
          this.#log(unit, `${unit.name}: State 'stop-sigterm' timed out. Killing.`, { priority: 4 });
          this.#log(unit, `${unit.name}: Killing process ${process.pid} (${process.identity.exe.split('/').pop()}) with signal SIGKILL.`, { priority: 4 });
          this.#onExit(unit, { code: 'killed', status: 9 }, 'timeout');
        });
    unit.stopping = { resolve, cancelTimeout };
    // A stop while still starting cancels the start job.
    this.#finishStartJob(unit, 'failed');
    const behaviour = unit.behaviour ?? labBinaryBehaviour;
    if (behaviour.stop) behaviour.stop(process.context);
    else process.context.after(defaultStopMs, () => process.context.exit(0));
  }

  #onExit(unit: Unit, exit: ExitInfo, forcedResult?: string): void {
    const process = unit.process;
    if (process) this.#endProcess(process);
    unit.process = undefined;
    unit.mainPid = 0;
    unit.execMain = { ...unit.execMain, exitMs: this.#clock.now(), exit };
    const clean = isCleanExit(exit);
    const label = this.#label(unit);

    if (unit.stopping) {
      const { resolve, cancelTimeout } = unit.stopping;
      unit.stopping = undefined;
      cancelTimeout();
      if (clean) {
        this.#log(unit, `${unit.name}: Deactivated successfully.`, { kind: 'unitResult' });
        unit.result = 'success';
      } else {
        this.#logExit(unit, exit);
        unit.result = forcedResult ?? resultOf(exit);
        this.#log(unit, `${unit.name}: Failed with result '${unit.result}'.`, { priority: 4, kind: 'unitResult' });
      }
      this.#log(unit, `Stopped ${label}.`, { kind: 'stopped' });
      unit.flushRestarts = true;
      this.#setState(unit, unit.result === 'success' ? 'inactive' : 'failed', unit.result === 'success' ? 'dead' : 'failed');
      resolve();
      return;
    }

    const startPending = unit.activeState === 'activating';
    if (clean) {
      unit.result = 'success';
      this.#log(unit, `${unit.name}: Deactivated successfully.`, { kind: 'unitResult' });
    } else {
      this.#logExit(unit, exit);
      unit.result = resultOf(exit);
      this.#log(unit, `${unit.name}: Failed with result '${unit.result}'.`, { priority: 4, kind: 'unitResult' });
    }
    if (startPending && !clean) {
      this.#log(unit, `Failed to start ${label}.`, { priority: 3, kind: 'failedToStart' });
      this.#finishStartJob(unit, 'failed');
    } else if (startPending && unit.config.type === 'oneshot') {
      // A oneshot service is done when its process exits cleanly.
      this.#log(unit, `Finished ${label}.`, { kind: 'started' });
      this.#finishStartJob(unit, 'done');
      if (unit.config.remainAfterExit) {
        this.#setState(unit, 'active', 'exited');
        return;
      }
    } else if (startPending) {
      // Exited cleanly before signalling readiness: systemd calls that a protocol failure.
      unit.result = 'protocol';
      this.#log(unit, `Failed to start ${label}.`, { priority: 3, kind: 'failedToStart' });
      this.#finishStartJob(unit, 'failed');
      unit.flushRestarts = true;
      this.#setState(unit, 'failed', 'failed');
      return;
    }
    unit.stamps.activeExit = this.#clock.now();

    if (shouldRestart(unit.config.restart, exit)) {
      this.#setState(unit, 'activating', 'auto-restart');
      unit.cancelAutoRestart = this.#clock.timer(unit.config.restartMs, () => {
        unit.cancelAutoRestart = undefined;
        unit.nRestarts += 1;
        unit.flushRestarts = false;
        this.#log(unit, `${unit.name}: Scheduled restart job, restart counter is at ${unit.nRestarts}.`, { kind: 'restartScheduled' });
        this.#log(unit, `Stopped ${label}.`, { kind: 'stopped' });
        this.#beginStart(unit);
      });
      return;
    }
    unit.flushRestarts = true;
    this.#setState(unit, clean ? 'inactive' : 'failed', clean ? 'dead' : 'failed');
  }

  #logExit(unit: Unit, exit: ExitInfo): void {
    this.#log(unit, `${unit.name}: Main process exited, code=${exit.code}, status=${formatExitStatus(exit)}`, {
      priority: 5, kind: 'processExit',
      extra: { EXIT_CODE: exit.code, EXIT_STATUS: exit.code === 'exited' ? String(exit.status) : signalName(exit.status) },
    });
  }

  #endProcess(process: RunningProcess): void {
    if (process.ended) return;
    process.ended = true;
    process.releaseImage();
    process.abort.abort(new Error('process ended'));
  }

  #awaitStartJob(unit: Unit): Promise<JobResult> {
    return new Promise((resolve) => {
      const previous = unit.startJob;
      unit.startJob = (result) => {
        previous?.(result);
        resolve(result);
      };
    });
  }

  #finishStartJob(unit: Unit, result: JobResult): void {
    const job = unit.startJob;
    unit.startJob = undefined;
    job?.(result);
  }

  #setState(unit: Unit, active: ActiveState, sub: string, atMs = this.#clock.now()): void {
    const wasInactive = unit.activeState === 'inactive' || unit.activeState === 'failed';
    unit.activeState = active;
    unit.subState = sub;
    unit.stamps.stateChange = atMs;
    if ((active === 'inactive' || active === 'failed') && !wasInactive) unit.stamps.inactiveEnter = atMs;
    this.emit('change', unit);
  }

  #log(
    unit: Unit,
    message: string,
    options: { priority?: number; kind?: ManagerMessageKind; extra?: Record<string, string> } = {},
  ): void {
    this.#journal.manager(unit.name, message, { ...options, invocationId: unit.invocationId || undefined });
  }

  /** systemd 252 names units in status lines: `voms-server.service - VOMS server`. */
  #label(unit: Unit): string {
    return unit.description === unit.name ? unit.name : `${unit.name} - ${unit.description}`;
  }

  #ensure(name: string): Unit {
    let unit = this.#units.get(name);
    if (!unit) {
      unit = new Unit(name);
      this.#units.set(name, unit);
    }
    return unit;
  }

  #loaded(name: string): Unit {
    const unit = this.unit(name);
    if (unit.loadState === 'not-found') throw new UnitNotFoundError(unit.name);
    return unit;
  }

  #dropInPaths(name: string): string[] {
    const paths: string[] = [];
    for (const directory of unitSearchPaths) {
      const dropInDir = `${directory}/${name}.d`;
      try {
        for (const entry of this.#vfs.readdir(dropInDir)) {
          if (entry.name.endsWith('.conf')) paths.push(`${dropInDir}/${entry.name}`);
        }
      } catch {
        // No drop-ins there.
      }
    }
    return paths;
  }
}

export class UnitNotFoundError extends Error {
  readonly unit: string;

  constructor(unit: string) {
    super(`Unit ${unit} not found.`);
    this.name = 'UnitNotFoundError';
    this.unit = unit;
  }
}

export function normalizeUnitName(name: string): string {
  return /\.(service|socket|timer|target|mount|scope|slice|path|device|swap)$/.test(name) ? name : `${name}.service`;
}

function resultOf(exit: ExitInfo): string {
  if (exit.code === 'exited') return 'exit-code';
  return exit.code === 'dumped' ? 'core-dump' : 'signal';
}

/** systemd.service(5)'s table of which exits each Restart= value restarts after. */
function shouldRestart(policy: RestartPolicy, exit: ExitInfo): boolean {
  const clean = isCleanExit(exit);
  const uncleanSignal = exit.code !== 'exited' && !clean;
  switch (policy) {
    case 'always':
      return true;
    case 'on-success':
      return clean;
    case 'on-failure':
      return !clean;
    case 'on-abnormal':
    case 'on-abort':
      return uncleanSignal;
    default:
      return false;
  }
}

function renderUnitFile(options: InstallUnitOptions): string {
  if (!options.execStart) throw new Error(`Unit ${options.name} needs execStart or unitText`);
  const service = [
    `Type=${options.type ?? 'simple'}`,
    options.user ? `User=${options.user}` : undefined,
    options.workingDirectory ? `WorkingDirectory=${options.workingDirectory}` : undefined,
    `ExecStart=${options.execStart}`,
    `Restart=${options.restart ?? 'no'}`,
    options.restartSec ? `RestartSec=${options.restartSec}` : undefined,
  ].filter((line): line is string => line !== undefined);
  return [
    '[Unit]',
    `Description=${options.description ?? normalizeUnitName(options.name)}`,
    'After=network.target',
    '',
    '[Service]',
    ...service,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
