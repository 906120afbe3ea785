import type { PidAllocator } from '../process';

/**
 * The processes the lab shell starts on a host: login shells, the commands they run,
 * `sh -c` children and background jobs. Each has a pid from the host's allocator and a
 * process group (an SSH session's shell leads its own, as under sshd), so `kill` can
 * signal one process or a whole group, and `kill -0` can ask whether any is left.
 * A fatal signal ends a process at once (it leaves the table) and aborts its signal,
 * which stops whatever the process was waiting for; its children die with it.
 */

export const signalNumbers: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23,
  XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

/** dash's `kill -l` names, by number. */
export const signalNamesByNumber: string[] = [
  '0', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM', '16',
  'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS',
];

/** Signals whose default action is to do nothing, and job-control stops the lab does not model. */
const harmless = new Set([17, 18, 19, 20, 21, 22, 23, 28]);

/** Why a process's signal was aborted: it was killed by this signal. */
export class KilledBySignal extends Error {
  readonly signal: number;

  constructor(signal: number) {
    super(`killed by SIG${signalNamesByNumber[signal] ?? signal}`);
    this.signal = signal;
  }
}

/** The exit status a shell reports for a command that ended because `signal` was aborted. */
export function statusOfAbort(signal: AbortSignal): number {
  const reason: unknown = signal.reason;
  // Any other reason (a caller that gave up, as `timeout` does) reads as a hangup.
  return reason instanceof KilledBySignal ? 128 + reason.signal : 129;
}

export interface LabProcess {
  readonly pid: number;
  readonly pgid: number;
  readonly uid: number;
  argv: readonly string[];
  /** Aborted (with a `KilledBySignal` reason for a kill) when the process dies. */
  readonly signal: AbortSignal;
  /** Signals the process ignores (`trap '' TERM`); its children inherit them. */
  readonly ignored: Set<number>;
}

export interface SpawnOptions {
  uid: number;
  argv: readonly string[];
  /** Join this process group; without it the process leads a new one. */
  pgid?: number;
  /** The process dies when this aborts (its parent's signal). */
  parent?: AbortSignal;
  ignored?: ReadonlySet<number>;
}

interface Entry extends LabProcess {
  controller: AbortController;
  detach: () => void;
}

export class ProcessTable {
  readonly #pids: PidAllocator;
  readonly #processes = new Map<number, Entry>();

  constructor(pids: PidAllocator) {
    this.#pids = pids;
  }

  spawn(options: SpawnOptions): LabProcess {
    const pid = this.#pids.next();
    const controller = new AbortController();
    const entry: Entry = {
      pid,
      pgid: options.pgid ?? pid,
      uid: options.uid,
      argv: options.argv,
      signal: controller.signal,
      ignored: new Set(options.ignored),
      controller,
      detach: () => undefined,
    };
    const parent = options.parent;
    if (parent) {
      const onParentAbort = (): void => this.#die(entry, parent.reason);
      if (parent.aborted) onParentAbort();
      else {
        parent.addEventListener('abort', onParentAbort, { once: true });
        entry.detach = () => parent.removeEventListener('abort', onParentAbort);
      }
    }
    if (!controller.signal.aborted) this.#processes.set(pid, entry);
    return entry;
  }

  /** The process has exited by itself. */
  exit(process: LabProcess): void {
    const entry = this.#processes.get(process.pid);
    if (entry !== process) return;
    entry.detach();
    this.#processes.delete(process.pid);
  }

  /** Every live process, oldest first. */
  list(): LabProcess[] {
    return [...this.#processes.values()];
  }

  get(pid: number): LabProcess | undefined {
    return this.#processes.get(pid);
  }

  /** The live process a command's signal belongs to. */
  ofSignal(signal: AbortSignal): LabProcess | undefined {
    return this.list().find((process) => process.signal === signal);
  }

  group(pgid: number): LabProcess[] {
    return this.list().filter((process) => process.pgid === pgid);
  }

  /** Delivers a signal (0 only checks). Ignored and harmless signals change nothing. */
  signal(process: LabProcess, signal: number): void {
    const entry = this.#processes.get(process.pid);
    if (entry !== process || signal === 0 || harmless.has(signal)) return;
    if (signal !== 9 && entry.ignored.has(signal)) return;
    this.#die(entry, new KilledBySignal(signal));
  }

  #die(entry: Entry, reason: unknown): void {
    entry.detach();
    this.#processes.delete(entry.pid);
    if (!entry.controller.signal.aborted) entry.controller.abort(reason);
  }
}
