import { posix } from 'node:path';
import type { Accounts, Credentials, HostUser } from './accounts';
import type { HostClock } from './clock';
import type { ContainerRuntime } from './containers';
import type { HostNetwork, HttpEndpoints, UnixSockets } from './endpoints';
import type { InputSource, OutputSink } from './io';
import type { Journal } from './journal';
import type { PidAllocator } from './process';
import type { ServiceManager } from './services';
import { Interpreter, type ShellLimits } from './sh/interpreter';
import { ProcessTable } from './sh/processes';
import { Fds } from './sh/state';
import type { Vfs } from './vfs';

/**
 * The lab's login shell: what a real host's shell does with the command line an SSH
 * exec request carries. The line is parsed by a real shell parser (mvdan/sh) and run
 * by the interpreter in sh/ as POSIX sh, so whatever the console sends (its quoting,
 * `exec`, `kill` of a process group, multi-line probe scripts) runs as on a host.
 * Errors read like bash's or dash's, depending on the user's login shell.
 */

export interface HostMetrics {
  /** 1, 5 and 15 minute load averages. */
  loadavg: [number, number, number];
  memTotalKb: number;
  memAvailableKb: number;
  /** Host time of the last boot (for /proc/uptime and `uptime`). */
  bootedAtMs: number;
  /** Logged-in users `uptime` reports. */
  users: number;
}

/** What commands see of the host they run on. */
export interface ShellHost {
  readonly hostname: string;
  readonly vfs: Vfs;
  readonly accounts: Accounts;
  readonly services: ServiceManager;
  readonly containers: ContainerRuntime;
  readonly journal: Journal;
  readonly clock: HostClock;
  readonly http: HttpEndpoints;
  readonly network: HostNetwork;
  readonly sockets: UnixSockets;
  readonly commands: CommandRegistry;
  readonly pids: PidAllocator;
  readonly metrics: HostMetrics;
}

export type ShellKind = 'bash' | 'dash';

export interface CommandContext {
  /** argv[0] as typed (`systemctl`, `./wukongim`, `/usr/bin/curl`). */
  readonly argv: string[];
  readonly host: ShellHost;
  readonly user: HostUser;
  readonly cred: Credentials;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly stdin: InputSource;
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  /** Aborted when the session ends (client gone, `timeout` expired). */
  readonly signal: AbortSignal;
  readonly shellKind: ShellKind;
  /** How the shell prefixes its own errors: `bash: line 1: ` or `sh: 1: ` (for builtins like `test`). */
  readonly shellPrefix: string;
  /** Absolute path for a path argument (relative to cwd). */
  resolve(path: string): string;
  /** Whether `name` would run as a program (not a shell builtin) for this user. */
  commandExists(name: string, user?: HostUser): boolean;
  /** Runs another command (what `sudo`, `env`, `timeout` do). */
  exec(argv: string[], overrides?: ExecOverrides): Promise<number>;
  /** Runs a script in a child shell (what `sh -c` and `bash -c` do). */
  runScript(
    script: string,
    options: { kind: ShellKind; name: string; positional?: string[]; errexit?: boolean } & ExecOverrides,
  ): Promise<number>;
}

export interface ExecOverrides {
  user?: HostUser;
  env?: Record<string, string>;
  stdin?: InputSource;
  stdout?: OutputSink;
  stderr?: OutputSink;
  signal?: AbortSignal;
  cwd?: string;
}

export type CommandHandler = (ctx: CommandContext) => Promise<number> | number;

/**
 * Commands by name (`systemctl`, `vmq-admin`) or by absolute path (`/home/app/wukongim`;
 * such a command runs only while an executable file exists at that path).
 */
export class CommandRegistry {
  readonly #handlers = new Map<string, CommandHandler>();

  register(name: string, handler: CommandHandler): void {
    this.#handlers.set(name, handler);
  }

  get(name: string): CommandHandler | undefined {
    return this.#handlers.get(name);
  }

  has(name: string): boolean {
    return this.#handlers.has(name);
  }
}

export interface SessionOptions {
  user: HostUser;
  stdin: InputSource;
  stdout: OutputSink;
  stderr: OutputSink;
  signal: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
  /** Default: from the user's login shell. */
  kind?: ShellKind;
  /** `$0` and the name in error messages (`bash`, `sh`). */
  name?: string;
  positional?: string[];
  /** `set -e` from the start (`sh -ec`). */
  errexit?: boolean;
}

export function shellKindOf(loginShell: string): ShellKind {
  return posix.basename(loginShell) === 'bash' ? 'bash' : 'dash';
}

/** The environment sshd and login give a user on Debian. */
export function loginEnvironment(user: HostUser): Record<string, string> {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: user.shell,
    PATH:
      user.uid === 0
        ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        : '/usr/local/bin:/usr/bin:/bin:/usr/games',
    LANG: 'C.UTF-8',
  };
}

export class Shell {
  /** Every process the shell started on this host (for `kill`). */
  readonly processes: ProcessTable;
  readonly #interpreter: Interpreter;

  constructor(host: ShellHost) {
    this.processes = new ProcessTable(host.pids);
    this.#interpreter = new Interpreter(host, this.processes);
  }

  /** The runaway guards (loop iterations, function nesting); a test may lower them. */
  get limits(): ShellLimits {
    return this.#interpreter.limits;
  }

  /**
   * Runs a script (an SSH exec command line) as a new login-shell process, which leads
   * its own process group as a session's shell does under sshd; resolves with its exit status.
   *
   * When `signal` aborts (the client closed the channel) the session is not killed: like
   * sshd without a terminal, the server only stops listening. Its standard input ends and
   * its next write dies of SIGPIPE; a quiet command (`sleep 100`) runs on until it ends or
   * is killed, which is what the console's cancel (`kill -TERM -PGID`) is for.
   */
  async run(script: string, options: SessionOptions): Promise<number> {
    const kind = options.kind ?? shellKindOf(options.user.shell);
    const name = options.name ?? (kind === 'bash' ? 'bash' : 'sh');
    const process = this.processes.spawn({ uid: options.user.uid, argv: [name, '-c', script] });
    let hungUp = false;
    const hangUp = (): void => {
      hungUp = true;
      options.stdin.end();
    };
    if (options.signal.aborted) hangUp();
    else options.signal.addEventListener('abort', hangUp, { once: true });
    const untilHangup = (sink: OutputSink): OutputSink => ({
      write: (chunk) => (hungUp ? this.processes.signal(process, 13) : sink.write(chunk)),
    });
    try {
      return await this.#interpreter.runShell(script, {
        user: options.user,
        kind,
        name,
        positional: options.positional ?? [],
        env: options.env ?? loginEnvironment(options.user),
        cwd: options.cwd ?? options.user.home,
        fds: Fds.standard(options.stdin, untilHangup(options.stdout), untilHangup(options.stderr)),
        process,
        errexit: options.errexit,
      });
    } finally {
      options.signal.removeEventListener('abort', hangUp);
      this.processes.exit(process);
    }
  }
}
