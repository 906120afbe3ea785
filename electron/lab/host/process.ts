import type { HostClock } from './clock';
import type { LabBinarySpec } from './lab-binary';

/**
 * The simulated main process of a service or container. A behaviour decides what a
 * run does (come up, crash, wait for peers...); the service manager or container
 * runtime owns the lifecycle around it. System simulators plug in their own
 * behaviours; the default one follows the lab binary's manifest.
 */

export interface ExitInfo {
  /** How the process ended, in systemd's words. */
  code: 'exited' | 'killed' | 'dumped';
  /** Exit status, or the signal number when killed/dumped. */
  status: number;
}

export interface ProcessContext {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Unit name (`voms-server.service`) or container name. */
  readonly owner: string;
  /** The executable's bytes as they were at exec time. */
  readonly image: Buffer;
  readonly manifest: LabBinarySpec | undefined;
  readonly clock: HostClock;
  /** True when the lab starts the unit "already running" (scenario setup): skip boot chatter. */
  readonly resumed: boolean;
  /** Aborted when the process has ended. */
  readonly signal: AbortSignal;
  /** A line on the process's stdout (journal / docker logs). Priority as syslog (3 err, 4 warning, 6 info). */
  log(message: string, priority?: number): void;
  /** The process is up (systemd's READY=1 for Type=notify; container healthy). */
  ready(): void;
  /** The process exits on its own with this status. */
  exit(status: number): void;
  /** The process dies from a signal (e.g. 6 for SIGABRT after a Go panic, with core dump). */
  die(signal: number, dumped?: boolean): void;
  /** Runs `fn` after a lab delay unless the process has ended by then. */
  after(labMs: number, fn: () => void): void;
}

export interface ProcessBehaviour {
  /** Called right after exec. */
  start(ctx: ProcessContext): void;
  /** SIGTERM. The default shuts down cleanly (exit 0) after `defaultStopMs`. */
  stop?(ctx: ProcessContext): void;
}

export const defaultStopMs = 300;

/** Runs the build described by the lab binary's manifest (see lab-binary.ts). */
export const labBinaryBehaviour: ProcessBehaviour = {
  start(ctx) {
    const spec = ctx.manifest;
    if (!spec) {
      ctx.exit(203);
      return;
    }
    if (!ctx.resumed) for (const line of spec.startLines ?? []) ctx.log(line);
    if (spec.crash) {
      const crash = spec.crash;
      ctx.after(crash.afterMs, () => {
        for (const line of crash.lines ?? []) ctx.log(line, 3);
        ctx.exit(crash.status);
      });
      return;
    }
    if (ctx.resumed) {
      ctx.ready();
      return;
    }
    ctx.after(spec.startupMs ?? 500, () => {
      for (const line of spec.readyLines ?? []) ctx.log(line);
      ctx.ready();
    });
  },
};

const signalNames: Record<number, string> = {
  1: 'HUP', 2: 'INT', 3: 'QUIT', 4: 'ILL', 6: 'ABRT', 9: 'KILL', 11: 'SEGV', 13: 'PIPE', 15: 'TERM',
};

const exitStatusNames: Record<number, string> = {
  0: 'SUCCESS', 1: 'FAILURE', 2: 'INVALIDARGUMENT', 3: 'NOTIMPLEMENTED', 4: 'NOPERMISSION', 5: 'NOTINSTALLED',
  6: 'NOTCONFIGURED', 7: 'NOTRUNNING', 200: 'CHDIR', 203: 'EXEC', 217: 'USER',
};

export function signalName(signal: number): string {
  return signalNames[signal] ?? String(signal);
}

/** `status=1/FAILURE`, `status=203/EXEC`, `status=9/KILL`, `status=42/n/a`. */
export function formatExitStatus(exit: ExitInfo): string {
  if (exit.code === 'exited') return `${exit.status}/${exitStatusNames[exit.status] ?? 'n/a'}`;
  return `${exit.status}/${signalName(exit.status)}`;
}

/** Exit 0 or death by SIGHUP/SIGINT/SIGTERM/SIGPIPE counts as clean for Restart=. */
export function isCleanExit(exit: ExitInfo): boolean {
  if (exit.code === 'exited') return exit.status === 0;
  return exit.code === 'killed' && [1, 2, 13, 15].includes(exit.status);
}

/** Hands out PIDs on one host (services, containers and shell commands share them). */
export class PidAllocator {
  #next: number;

  constructor(start = 1000) {
    this.#next = start;
  }

  next(): number {
    this.#next += 1 + Math.floor(Math.random() * 5);
    return this.#next;
  }
}
