import type { Credentials, HostUser } from '../accounts';
import { InputSource, type OutputSink } from '../io';
import type { ShellKind } from '../shell';
import type { LabProcess } from './processes';
import type { Stmt } from './syntax';

/** What one shell (or subshell) knows while it runs, and how control leaves a construct. */

/** An open file descriptor: something to read from, something to write to. */
export type FileDescriptor = { input: InputSource } | { output: OutputSink };

export class Fds {
  readonly #table: Map<number, FileDescriptor>;

  constructor(table: Map<number, FileDescriptor> = new Map()) {
    this.#table = table;
  }

  static standard(stdin: InputSource, stdout: OutputSink, stderr: OutputSink): Fds {
    return new Fds(new Map<number, FileDescriptor>([[0, { input: stdin }], [1, { output: stdout }], [2, { output: stderr }]]));
  }

  clone(): Fds {
    return new Fds(new Map(this.#table));
  }

  get(fd: number): FileDescriptor | undefined {
    return this.#table.get(fd);
  }

  set(fd: number, descriptor: FileDescriptor): void {
    this.#table.set(fd, descriptor);
  }

  close(fd: number): void {
    this.#table.delete(fd);
  }

  /** Standard input; a closed or write-only fd 0 reads as empty. */
  get stdin(): InputSource {
    const descriptor = this.#table.get(0);
    return descriptor && 'input' in descriptor ? descriptor.input : InputSource.empty();
  }

  get stdout(): OutputSink {
    return this.#output(1);
  }

  get stderr(): OutputSink {
    return this.#output(2);
  }

  #output(fd: number): OutputSink {
    const descriptor = this.#table.get(fd);
    return descriptor && 'output' in descriptor ? descriptor.output : { write: () => undefined };
  }
}

export interface ShellOptions {
  errexit: boolean;
  nounset: boolean;
  noglob: boolean;
  xtrace: boolean;
  pipefail: boolean;
}

export interface ShellState {
  readonly kind: ShellKind;
  /** `$0`, and the name in error messages. */
  readonly name: string;
  user: HostUser;
  cred: Credentials;
  cwd: string;
  vars: Map<string, string>;
  exported: Set<string>;
  readonlyVars: Set<string>;
  functions: Map<string, Stmt>;
  positional: string[];
  /** `$?` */
  status: number;
  /** Status of the last command substitution (what an assignment-only command returns). */
  substitutionStatus: number;
  /** The shell's process; `$$` is its pid even in subshells. */
  readonly process: LabProcess;
  /** Aborted when this shell, subshell or pipeline stage must stop. */
  readonly signal: AbortSignal;
  /** `$!` */
  lastBackground: number | undefined;
  jobs: Map<number, Promise<number>>;
  options: ShellOptions;
  exitTrap: string | undefined;
  fds: Fds;
  line: number;
  /** The script being run, as bytes (syntax positions are byte offsets). */
  source: Buffer;
  /** Saved values of variables made `local`, per function call. */
  locals: Array<Map<string, string | undefined>>;
  loopDepth: number;
  /** Functions and `.` scripts being run (where `return` is allowed). */
  returnDepth: number;
  /** Inside an `if`/`while` condition, a `!`, or the left of `&&`/`||`: `set -e` does not apply. */
  conditionDepth: number;
  /** Set by `exec` without a command: its redirections stay for the rest of the shell. */
  persistRedirections: boolean;
}

/** A copy for a subshell: same `$$`, own variables, functions, directory and descriptors. */
export function cloneState(state: ShellState, signal: AbortSignal = state.signal): ShellState {
  return {
    ...state,
    signal,
    vars: new Map(state.vars),
    exported: new Set(state.exported),
    readonlyVars: new Set(state.readonlyVars),
    functions: new Map(state.functions),
    positional: [...state.positional],
    jobs: new Map(),
    options: { ...state.options },
    exitTrap: undefined,
    fds: state.fds.clone(),
    locals: state.locals.map((saved) => new Map(saved)),
    persistRedirections: false,
  };
}

/** The environment a command gets: exported variables, then the command's own assignments. */
export function environmentOf(state: ShellState, assignments: ReadonlyMap<string, string> = new Map()): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of state.exported) {
    const value = state.vars.get(name);
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of assignments) env[name] = value;
  return env;
}

/** `exit`, the end of `exec`, and fatal errors: the shell (or subshell) ends with this status. */
export class ShellExit extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`exit ${status}`);
    this.status = status;
  }
}

export class LoopControl extends Error {
  readonly kind: 'break' | 'continue';
  levels: number;

  constructor(kind: 'break' | 'continue', levels: number) {
    super(kind);
    this.kind = kind;
    this.levels = levels;
  }
}

export class FunctionReturn extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`return ${status}`);
    this.status = status;
  }
}

/** The shell's signal was aborted: unwind to the (sub)shell that owns it. */
export class Interrupted extends Error {
  readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    super('interrupted');
    this.signal = signal;
  }
}
