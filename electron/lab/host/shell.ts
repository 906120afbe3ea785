import { parse, type ParseEntry } from 'shell-quote';
import { posix } from 'node:path';
import type { Accounts, Credentials, HostUser } from './accounts';
import { credentialsOf } from './accounts';
import type { HostClock } from './clock';
import type { ContainerRuntime } from './containers';
import type { HostNetwork, HttpEndpoints, UnixSockets } from './endpoints';
import { InputSource, nullSink, type OutputSink } from './io';
import type { Journal } from './journal';
import { readLabBinary } from './lab-binary';
import type { PidAllocator } from './process';
import type { ServiceManager } from './services';
import { absolutePath, isVfsError, type Vfs } from './vfs';

/**
 * The lab's command interpreter: what a real host's login shell does with the
 * command line an SSH exec request carries. Lines are split into words by
 * `shell-quote` (so the console's quoting is really exercised); `;`, `&&`, `||`, `|`,
 * `!`, `&`, redirections (`>`, `>>`, `<`, `2>&1`, `&>`), variables and globs work;
 * errors read like bash's or dash's, depending on the user's login shell.
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

const standardBinDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Thrown by `exit` to leave the script. */
class ShellExit extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`exit ${status}`);
    this.status = status;
  }
}

class ShellSyntaxError extends Error {}

// ---- parsing ------------------------------------------------------------------------

type Word = { text: string } | { glob: string };

interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '&>';
  target: Word;
}

interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
}

interface Pipeline {
  negate: boolean;
  commands: SimpleCommand[];
}

interface AndOrList {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
  background: boolean;
}

interface ScriptLine {
  number: number;
  lists: AndOrList[];
}

/** Reserved words of compound commands, which the lab shell does not run. */
const compoundKeywords = new Set(['for', 'while', 'until', 'if', 'case', 'function', '{', '[[', 'select']);

/** Variables are expanded at run time (so `false; echo $?` works): mark them while parsing. */
const varMark = '\u0000';

function splitLines(script: string): Array<{ number: number; text: string }> {
  const lines: Array<{ number: number; text: string }> = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let lineNumber = 1;
  let startLine = 1;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (ch === '\\' && quote !== "'" && i + 1 < script.length) {
      if (script[i + 1] === '\n') {
        i++;
        lineNumber++;
        continue;
      }
      current += ch + script[i + 1]!;
      i++;
      continue;
    }
    if (quote) {
      if (ch === quote) quote = undefined;
      if (ch === '\n') lineNumber++;
      current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if (ch === '\n') {
      lineNumber++;
      // A line ending in an operator continues on the next one.
      if (/(&&|\|\||\|)\s*$/.test(current)) {
        current += ' ';
        continue;
      }
      lines.push({ number: startLine, text: current });
      current = '';
      startLine = lineNumber;
      continue;
    }
    current += ch;
  }
  if (current.trim() !== '') lines.push({ number: startLine, text: current });
  return lines;
}

function parseLine(text: string): AndOrList[] {
  const tokens: ParseEntry[] = parse(text, (key: string) => (key === '' ? '$' : `${varMark}${key}${varMark}`));
  const lists: AndOrList[] = [];
  let command: SimpleCommand = { words: [], redirects: [] };
  let pipeline: Pipeline = { negate: false, commands: [] };
  let list: AndOrList | undefined;
  let pendingOp: '&&' | '||' | undefined;

  const endCommand = (required: boolean): void => {
    if (command.words.length === 0 && command.redirects.length === 0) {
      if (required) throw new ShellSyntaxError('|');
      return;
    }
    pipeline.commands.push(command);
    command = { words: [], redirects: [] };
  };
  const endPipeline = (op: string): void => {
    endCommand(false);
    if (pipeline.commands.length === 0) {
      if (pendingOp || op === '&&' || op === '||' || op === '|') throw new ShellSyntaxError(op);
      return;
    }
    if (!list) list = { first: pipeline, rest: [], background: false };
    else list.rest.push({ op: pendingOp!, pipeline });
    pendingOp = undefined;
    pipeline = { negate: false, commands: [] };
  };
  const endList = (background: boolean, op: string): void => {
    endPipeline(op);
    if (pendingOp) throw new ShellSyntaxError(op);
    if (list) {
      list.background = background;
      lists.push(list);
    } else if (op === ';' || op === '&') {
      throw new ShellSyntaxError(op);
    }
    list = undefined;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (typeof token === 'string') {
      const next = tokens[i + 1];
      const isFd = /^\d$/.test(token) && next !== undefined && typeof next === 'object' && 'op' in next && ['>', '>>', '<', '>&'].includes(next.op);
      if (isFd) continue;
      if (token === '!' && command.words.length === 0 && pipeline.commands.length === 0) {
        pipeline.negate = !pipeline.negate;
        continue;
      }
      if (token === '$' && next !== undefined && typeof next === 'object' && 'op' in next && next.op === '(') {
        throw new ShellSyntaxError('$(');
      }
      if (command.words.length === 0 && compoundKeywords.has(token)) throw new ShellSyntaxError(token);
      command.words.push({ text: token });
      continue;
    }
    if ('comment' in token) break;
    const op = token.op;
    if (op === 'glob') {
      command.words.push({ glob: (token as { pattern: string }).pattern });
      continue;
    }
    switch (op) {
      case '>':
      case '>>':
      case '<':
      case '>&':
      case '&>': {
        const previous = tokens[i - 1];
        const fd = typeof previous === 'string' && /^\d$/.test(previous) ? Number(previous) : op === '<' ? 0 : 1;
        const target = tokens[i + 1];
        i++;
        if (typeof target === 'string') command.redirects.push({ fd, op, target: { text: target } });
        else if (target && typeof target === 'object' && 'op' in target && target.op === 'glob') {
          command.redirects.push({ fd, op, target: { glob: (target as { pattern: string }).pattern } });
        } else throw new ShellSyntaxError(op);
        break;
      }
      case '|':
        endCommand(true);
        break;
      case '&&':
      case '||':
        endPipeline(op);
        if (!list) throw new ShellSyntaxError(op);
        pendingOp = op;
        break;
      case ';':
        endList(false, op);
        break;
      case '&':
        endList(true, op);
        break;
      default:
        throw new ShellSyntaxError(op);
    }
  }
  endList(false, 'newline');
  return lists;
}

// ---- running ----------------------------------------------------------------------

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

interface Session {
  user: HostUser;
  cred: Credentials;
  cwd: string;
  env: Record<string, string>;
  vars: Record<string, string>;
  kind: ShellKind;
  name: string;
  positional: string[];
  lastStatus: number;
  pid: number;
  errexit: boolean;
  pipefail: boolean;
  line: number;
  stdin: InputSource;
  stdout: OutputSink;
  stderr: OutputSink;
  signal: AbortSignal;
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
  readonly #host: ShellHost;

  constructor(host: ShellHost) {
    this.#host = host;
  }

  /** Runs a script (an SSH exec command line) to completion; returns its exit status. */
  async run(script: string, options: SessionOptions): Promise<number> {
    const kind = options.kind ?? shellKindOf(options.user.shell);
    const session: Session = {
      user: options.user,
      cred: credentialsOf(options.user),
      cwd: options.cwd ?? options.user.home,
      env: { ...(options.env ?? loginEnvironment(options.user)) },
      vars: {},
      kind,
      name: options.name ?? (kind === 'bash' ? 'bash' : 'sh'),
      positional: options.positional ?? [],
      lastStatus: 0,
      pid: this.#host.pids.next(),
      errexit: options.errexit ?? false,
      pipefail: false,
      line: 1,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      signal: options.signal,
    };
    if (!this.#host.vfs.exists(session.cwd)) session.cwd = '/';
    session.env.PWD = session.cwd;

    let lines: ScriptLine[];
    try {
      lines = splitLines(script).map((line) => ({ number: line.number, lists: parseLine(line.text) }));
    } catch (error) {
      if (error instanceof ShellSyntaxError) return this.#syntaxError(session, error.message);
      throw error;
    }
    try {
      for (const line of lines) {
        session.line = line.number;
        for (const list of line.lists) {
          if (session.signal.aborted) return 130;
          if (list.background) {
            void this.#runAndOr(session, list).catch(() => undefined);
            session.lastStatus = 0;
            continue;
          }
          const { status, final } = await this.#runAndOr(session, list);
          session.lastStatus = status;
          if (session.errexit && status !== 0 && final) return status;
        }
      }
    } catch (error) {
      if (error instanceof ShellExit) return error.status;
      throw error;
    }
    return session.lastStatus;
  }

  #syntaxError(session: Session, token: string): number {
    if (token === '$(') {
      session.stderr.write(`${this.#prefix(session)}command substitution is not supported by the lab shell\n`);
      return 2;
    }
    if (compoundKeywords.has(token)) {
      session.stderr.write(`${this.#prefix(session)}compound commands (${token}) are not supported by the lab shell\n`);
      return 2;
    }
    if (session.kind === 'bash') {
      session.stderr.write(`${session.name}: -c: line ${session.line}: syntax error near unexpected token \`${token}'\n`);
    } else {
      session.stderr.write(`${session.name}: ${session.line}: Syntax error: "${token}" unexpected\n`);
    }
    return 2;
  }

  /** `bash: line 1: ` or `sh: 1: `. */
  #prefix(session: Session): string {
    return session.kind === 'bash' ? `${session.name}: line ${session.line}: ` : `${session.name}: ${session.line}: `;
  }

  async #runAndOr(session: Session, list: AndOrList): Promise<{ status: number; final: boolean }> {
    let status = await this.#runPipeline(session, list.first);
    let final = true;
    for (const { op, pipeline } of list.rest) {
      session.lastStatus = status;
      if ((op === '&&' && status !== 0) || (op === '||' && status === 0)) {
        final = false;
        continue;
      }
      status = await this.#runPipeline(session, pipeline);
      final = true;
    }
    // With errexit, only a failure of the list's last command ends the script (`a || b` is a test).
    return { status, final };
  }

  async #runPipeline(session: Session, pipeline: Pipeline): Promise<number> {
    let input = session.stdin;
    const statuses: number[] = [];
    for (let i = 0; i < pipeline.commands.length; i++) {
      const isLast = i === pipeline.commands.length - 1;
      const capture = isLast ? undefined : new PipeCapture();
      const status = await this.#runSimple(session, pipeline.commands[i]!, input, capture ?? session.stdout);
      statuses.push(status);
      if (capture) input = InputSource.from(capture.buffer());
    }
    let status = statuses[statuses.length - 1] ?? 0;
    if (session.pipefail) status = [...statuses].reverse().find((s) => s !== 0) ?? 0;
    return pipeline.negate ? (status === 0 ? 1 : 0) : status;
  }

  async #runSimple(session: Session, command: SimpleCommand, stdin: InputSource, stdout: OutputSink): Promise<number> {
    const words = this.#expandWords(session, command.words);
    const assignments: Record<string, string> = {};
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
      const word = words.shift()!;
      const eq = word.indexOf('=');
      assignments[word.slice(0, eq)] = word.slice(eq + 1);
    }
    const fds: { 0: InputSource; 1: OutputSink; 2: OutputSink } = { 0: stdin, 1: stdout, 2: session.stderr };
    for (const redirect of command.redirects) {
      const failure = this.#applyRedirect(session, redirect, fds);
      if (failure !== undefined) return failure;
    }
    if (words.length === 0) {
      Object.assign(session.vars, assignments);
      for (const key of Object.keys(assignments)) if (key in session.env) session.env[key] = assignments[key]!;
      return 0;
    }
    const env = { ...session.env, ...assignments };
    return this.#execute(session, words, { env, stdin: fds[0], stdout: fds[1], stderr: fds[2] });
  }

  #applyRedirect(
    session: Session,
    redirect: Redirect,
    fds: { 0: InputSource; 1: OutputSink; 2: OutputSink },
  ): number | undefined {
    const [target = ''] = this.#expandWords(session, [redirect.target]);
    if (redirect.op === '>&') {
      if (target === '1' || target === '2') {
        const sink = target === '1' ? fds[1] : fds[2];
        if (redirect.fd === 1) fds[1] = sink;
        else if (redirect.fd === 2) fds[2] = sink;
        return undefined;
      }
    }
    if (redirect.op === '<') {
      try {
        fds[0] = InputSource.from(this.#host.vfs.readFile(absolutePath(session.cwd, target), session.cred));
        return undefined;
      } catch (error) {
        return this.#redirectFailure(session, target, error, 'open');
      }
    }
    // `>`, `>>`, `&>`, `>& file`
    let sink: OutputSink;
    if (target === '/dev/null') sink = nullSink;
    else {
      const path = absolutePath(session.cwd, target);
      try {
        const vfs = this.#host.vfs;
        vfs.open(path, { write: true, create: true, truncate: redirect.op !== '>>' }, session.cred, 0o666 & ~0o022);
        sink = new FileSink(vfs, path, session.cred, fds[2]);
      } catch (error) {
        return this.#redirectFailure(session, target, error, 'create');
      }
    }
    if (redirect.op === '&>' || (redirect.op === '>&' && redirect.fd === 1)) {
      fds[1] = sink;
      fds[2] = sink;
    } else if (redirect.fd === 2) fds[2] = sink;
    else fds[1] = sink;
    return undefined;
  }

  #redirectFailure(session: Session, target: string, error: unknown, action: 'create' | 'open'): number {
    const reason = isVfsError(error) ? error.strerror : String(error);
    if (session.kind === 'bash') {
      session.stderr.write(`${this.#prefix(session)}${target}: ${reason}\n`);
      return 1;
    }
    session.stderr.write(`${this.#prefix(session)}cannot ${action} ${target}: ${reason}\n`);
    return 2;
  }

  #expandWords(session: Session, words: Word[]): string[] {
    const result: string[] = [];
    for (const word of words) {
      if ('text' in word) {
        result.push(this.#expandVars(session, word.text));
        continue;
      }
      const pattern = this.#expandVars(session, word.glob);
      const matches = expandGlob(this.#host.vfs, session.cwd, pattern, session.cred);
      if (matches.length === 0) result.push(pattern);
      else result.push(...matches);
    }
    return result;
  }

  #expandVars(session: Session, text: string): string {
    if (!text.includes(varMark)) return text;
    return text.replace(new RegExp(`${varMark}([^${varMark}]*)${varMark}`, 'g'), (_, expression: string) =>
      this.#variable(session, expression),
    );
  }

  #variable(session: Session, expression: string): string {
    const match = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[?$#@*!-])(?:(:?[-=+?])(.*))?$/.exec(expression);
    if (expression.startsWith('#') && expression.length > 1) {
      return String(this.#variable(session, expression.slice(1)).length);
    }
    if (!match) return '';
    const [, name = '', operator, operand = ''] = match;
    let value: string | undefined;
    if (name === '?') value = String(session.lastStatus);
    else if (name === '$') value = String(session.pid);
    else if (name === '#') value = String(session.positional.length);
    else if (name === '@' || name === '*') value = session.positional.join(' ');
    else if (/^\d+$/.test(name)) value = name === '0' ? session.name : session.positional[Number(name) - 1];
    else value = session.vars[name] ?? session.env[name];
    const unsetOrEmpty = operator?.startsWith(':') ? !value : value === undefined;
    switch (operator?.replace(':', '')) {
      case '-':
        return unsetOrEmpty ? operand : value!;
      case '=':
        if (unsetOrEmpty) session.vars[name] = operand;
        return unsetOrEmpty ? operand : value!;
      case '+':
        return unsetOrEmpty ? '' : operand;
      default:
        return value ?? '';
    }
  }

  /** Runs argv (builtins, registered commands, files on the VFS). */
  async #execute(
    session: Session,
    argv: string[],
    io: { env: Record<string, string>; stdin: InputSource; stdout: OutputSink; stderr: OutputSink; user?: HostUser; signal?: AbortSignal; cwd?: string },
  ): Promise<number> {
    const name = argv[0]!;
    const builtin = this.#builtin(session, argv, io);
    if (builtin !== undefined) return builtin;

    const user = io.user ?? session.user;
    const cred = credentialsOf(user);
    const cwd = io.cwd ?? session.cwd;
    const signal = io.signal ?? session.signal;
    const handler = this.#lookup(name, cwd, cred);
    if (handler.kind === 'error') {
      const notFound = session.kind === 'bash' ? `${name}: command not found` : `${name}: not found`;
      io.stderr.write(`${this.#prefix(session)}${handler.message || notFound}\n`);
      return handler.status;
    }
    const context: CommandContext = {
      argv,
      host: this.#host,
      user,
      cred,
      cwd,
      env: io.env,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      signal,
      shellKind: session.kind,
      shellPrefix: this.#prefix(session),
      resolve: (path) => absolutePath(cwd, path),
      commandExists: (program, asUser = user) => this.#lookup(program, cwd, credentialsOf(asUser)).kind !== 'error',
      exec: (nextArgv, overrides = {}) =>
        this.#execute({ ...session, cwd: overrides.cwd ?? cwd }, nextArgv, {
          env: overrides.env ?? io.env,
          stdin: overrides.stdin ?? io.stdin,
          stdout: overrides.stdout ?? io.stdout,
          stderr: overrides.stderr ?? io.stderr,
          user: overrides.user ?? user,
          signal: overrides.signal ?? signal,
          cwd: overrides.cwd ?? cwd,
        }),
      runScript: (script, options) =>
        this.run(script, {
          user: options.user ?? user,
          stdin: options.stdin ?? io.stdin,
          stdout: options.stdout ?? io.stdout,
          stderr: options.stderr ?? io.stderr,
          signal: options.signal ?? signal,
          env: options.env ?? io.env,
          cwd: options.cwd ?? cwd,
          kind: options.kind,
          name: options.name,
          positional: options.positional,
          errexit: options.errexit,
        }),
    };
    if (handler.kind === 'script') {
      return context.runScript(handler.script, { kind: handler.shell, name: name, positional: argv.slice(1) });
    }
    try {
      return await handler.handler(context);
    } catch (error) {
      if (error instanceof ShellExit) throw error;
      if (signal.aborted) return 130;
      io.stderr.write(`${posix.basename(name)}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }

  #lookup(
    name: string,
    cwd: string,
    cred: Credentials,
  ):
    | { kind: 'handler'; handler: CommandHandler }
    | { kind: 'script'; script: string; shell: ShellKind }
    | { kind: 'error'; message: string; status: number } {
    const registry = this.#host.commands;
    const vfs = this.#host.vfs;
    if (!name.includes('/')) {
      const handler = registry.get(name);
      if (handler) return { kind: 'handler', handler };
      return { kind: 'error', message: '', status: 127 };
    }
    const path = absolutePath(cwd, name);
    let stat;
    try {
      stat = vfs.stat(path, cred);
    } catch (error) {
      const base = posix.basename(path);
      const standard = standardBinDirs.includes(posix.dirname(path)) && registry.get(base);
      if (standard) return { kind: 'handler', handler: standard };
      const reason = isVfsError(error) ? error.strerror : 'No such file or directory';
      return { kind: 'error', message: `${name}: ${reason}`, status: isVfsError(error, 'EACCES') ? 126 : 127 };
    }
    if (stat.kind === 'dir') return { kind: 'error', message: `${name}: Is a directory`, status: 126 };
    if (!vfs.access(path, cred, 'x')) return { kind: 'error', message: `${name}: Permission denied`, status: 126 };
    const registered = registry.get(vfs.realpath(path)) ?? registry.get(path);
    if (registered) return { kind: 'handler', handler: registered };
    const base = posix.basename(path);
    if (standardBinDirs.includes(posix.dirname(path)) && registry.get(base)) {
      return { kind: 'handler', handler: registry.get(base)! };
    }
    const content = vfs.readFile(path);
    const shebang = /^#!\s*(\S+)/.exec(content.subarray(0, 128).toString('utf8'));
    if (shebang && /\/(ba|da)?sh$/.test(shebang[1]!)) {
      // The shebang line stays: it is a comment, and line numbers in errors count it.
      return { kind: 'script', script: content.toString('utf8'), shell: shellKindOf(shebang[1]!) };
    }
    const manifest = readLabBinary(content);
    if (manifest) return { kind: 'handler', handler: labBinaryCommand };
    return { kind: 'error', message: `${name}: cannot execute binary file: Exec format error`, status: 126 };
  }

  /** Builtins that change the shell's own state. Undefined when `argv` is not one. */
  #builtin(
    session: Session,
    argv: string[],
    io: { env: Record<string, string>; stdin: InputSource; stdout: OutputSink; stderr: OutputSink },
  ): number | Promise<number> | undefined {
    const [name, ...args] = argv;
    switch (name) {
      case ':':
        return 0;
      case 'exit':
        throw new ShellExit(args[0] === undefined ? session.lastStatus : Number(args[0]) & 0xff);
      case 'cd': {
        const target = args[0] ?? session.env.HOME ?? '/';
        const path = posix.normalize(absolutePath(session.cwd, target));
        try {
          if (this.#host.vfs.stat(path, session.cred).kind !== 'dir') throw new Error('ENOTDIR');
          if (!this.#host.vfs.access(path, session.cred, 'x')) throw new Error('EACCES');
        } catch (error) {
          if (session.kind === 'dash') {
            io.stderr.write(`${this.#prefix(session)}cd: can't cd to ${target}\n`);
            return 2;
          }
          const reason = isVfsError(error) ? error.strerror
            : (error as Error).message === 'ENOTDIR' ? 'Not a directory' : 'Permission denied';
          io.stderr.write(`${this.#prefix(session)}cd: ${target}: ${reason}\n`);
          return 1;
        }
        session.cwd = path;
        session.env.PWD = path;
        return 0;
      }
      case 'export':
        for (const arg of args) {
          const eq = arg.indexOf('=');
          if (eq > 0) session.env[arg.slice(0, eq)] = arg.slice(eq + 1);
          else if (session.vars[arg] !== undefined) session.env[arg] = session.vars[arg]!;
        }
        return 0;
      case 'unset':
        for (const arg of args) {
          delete session.env[arg];
          delete session.vars[arg];
        }
        return 0;
      case 'set': {
        for (let i = 0; i < args.length; i++) {
          const arg = args[i]!;
          const enable = arg.startsWith('-');
          if (arg === '-o' || arg === '+o') {
            if (args[i + 1] === 'pipefail') session.pipefail = enable;
            if (args[i + 1] === 'errexit') session.errexit = enable;
            i++;
            continue;
          }
          if (arg.slice(1).includes('e')) session.errexit = enable;
        }
        return 0;
      }
      case 'command':
      case 'type':
      case 'which': {
        const verbose = name === 'command' && args[0] === '-v';
        const names = name === 'command' ? (verbose ? args.slice(1) : undefined) : args;
        if (names === undefined) {
          return args.length === 0 ? 0 : this.#execute(session, args, io);
        }
        let status = 0;
        for (const target of names) {
          const found = this.#whereIs(target, session);
          if (!found) {
            status = 1;
            if (name === 'type') io.stderr.write(`${this.#prefix(session)}type: ${target}: not found\n`);
            continue;
          }
          if (name === 'type') io.stdout.write(`${target} is ${found}\n`);
          else io.stdout.write(`${found}\n`);
        }
        return status;
      }
      default:
        return undefined;
    }
  }

  #whereIs(name: string, session: Session): string | undefined {
    if ([':', 'exit', 'cd', 'export', 'unset', 'set', 'command', 'type', 'echo', 'printf', 'test', '[', 'true', 'false'].includes(name)) {
      return name;
    }
    if (name.includes('/')) return this.#host.vfs.exists(absolutePath(session.cwd, name)) ? name : undefined;
    return this.#host.commands.has(name) ? `/usr/bin/${name}` : undefined;
  }
}

/** A pipe between two commands of a pipeline. */
class PipeCapture implements OutputSink {
  readonly #chunks: Buffer[] = [];

  write(chunk: string | Buffer): void {
    this.#chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }

  buffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** `> file`: appends each write to the file on the VFS. */
class FileSink implements OutputSink {
  readonly #vfs: Vfs;
  readonly #path: string;
  readonly #cred: Credentials;
  readonly #stderr: OutputSink;
  #failed = false;

  constructor(vfs: Vfs, path: string, cred: Credentials, stderr: OutputSink) {
    this.#vfs = vfs;
    this.#path = path;
    this.#cred = cred;
    this.#stderr = stderr;
  }

  write(chunk: string | Buffer): void {
    if (this.#failed) return;
    try {
      this.#vfs.writeFile(this.#path, chunk, { cred: this.#cred, append: true });
    } catch (error) {
      this.#failed = true;
      this.#stderr.write(`write error: ${isVfsError(error) ? error.strerror : String(error)}\n`);
    }
  }
}

/** Running a lab binary by hand: it answers `--version`; serving is the service manager's job. */
const labBinaryCommand: CommandHandler = (ctx) => {
  const path = ctx.resolve(ctx.argv[0]!);
  const manifest = readLabBinary(ctx.host.vfs.readFile(path, ctx.cred))!;
  if (ctx.argv.slice(1).some((arg) => arg === '--version' || arg === '-v' || arg === 'version')) {
    ctx.stdout.write(`${manifest.versionOutput ?? `${manifest.program} version ${manifest.version}`}\n`);
    return 0;
  }
  ctx.stderr.write(`${manifest.program}: the lab runs this program only as a service (use systemctl)\n`);
  return 1;
};

/** Expands a glob pattern against the VFS, sorted; empty when nothing matches. */
export function expandGlob(vfs: Vfs, cwd: string, pattern: string, cred: Credentials): string[] {
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((part) => part !== '');
  let candidates: string[] = [absolute ? '/' : ''];
  for (const part of parts) {
    const next: string[] = [];
    const hasMagic = /[*?[]/.test(part);
    for (const base of candidates) {
      const dir = absolute || base !== '' ? base : '.';
      if (!hasMagic) {
        next.push(joinGlob(base, part));
        continue;
      }
      const regex = globToRegExp(part);
      let entries: Array<{ name: string }>;
      try {
        entries = vfs.readdir(absolutePath(cwd, dir === '' ? '.' : dir), cred);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.') && !part.startsWith('.')) continue;
        if (regex.test(entry.name)) next.push(joinGlob(base, entry.name));
      }
    }
    candidates = next;
  }
  return candidates.filter((candidate) => vfs.exists(absolutePath(cwd, candidate), cred)).sort();
}

function joinGlob(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? `${base}${name}` : `${base}/${name}`;
}

function globToRegExp(part: string): RegExp {
  let source = '';
  for (let i = 0; i < part.length; i++) {
    const ch = part[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      const end = part.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${part.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
