import { posix } from 'node:path';
import { credentialsOf, type HostUser } from '../accounts';
import { BufferSink, InputSource, nullSink, type OutputSink } from '../io';
import { readLabBinary } from '../lab-binary';
import type { CommandContext, CommandHandler, ShellHost, ShellKind } from '../shell';
import { absolutePath, isVfsError, type Vfs } from '../vfs';
import { ExpansionError } from './arith';
import { builtinOf, hostPrograms, isSpecialBuiltin } from './builtins';
import { Expander, UnsupportedSyntax } from './expand';
import { expandPathname, matchPattern } from './pattern';
import { KilledBySignal, statusOfAbort, type LabProcess, type ProcessTable } from './processes';
import {
  cloneState, environmentOf, Fds, FunctionReturn, Interrupted, LoopControl, ShellExit,
  type ShellState,
} from './state';
import {
  isParseFailure, operators, parseScript,
  type Assign, type BinaryCmd, type Block, type CallExpr, type CaseClause, type DeclClause, type File, type ForClause, type FuncDecl,
  type IfClause, type Lit, type ParseFailure, type Redirect, type Stmt, type SyntaxNode, type WhileClause, type Word, type WordIter,
} from './syntax';

/**
 * Runs parsed POSIX sh the way dash (or bash, for users whose login shell it is) would:
 * lists, pipelines (stages run concurrently, joined by pipes), subshells, groups,
 * if/while/until/for/case, functions, redirections, here-documents, expansions, and the
 * builtins in builtins.ts. Every other command is a program on the host: a registered
 * command, a lab binary or a script file, run as a process of the shell's process group.
 */

export interface ShellRun {
  user: HostUser;
  kind: ShellKind;
  /** `$0` and the name in error messages. */
  name: string;
  positional: readonly string[];
  env: Record<string, string>;
  cwd: string;
  fds: Fds;
  /** The process this shell runs as (`$$`). */
  process: LabProcess;
  errexit?: boolean;
}

/** A program started by a shell or by a command (`sudo`, `env`, `timeout`). */
interface ProgramRun {
  argv: string[];
  user: HostUser;
  cwd: string;
  env: Record<string, string>;
  stdin: InputSource;
  stdout: OutputSink;
  stderr: OutputSink;
  /** The caller's signal: the program dies with its caller. */
  signal: AbortSignal;
  pgid: number;
  ignored: ReadonlySet<number>;
  kind: ShellKind;
  /** How the calling shell prefixes its errors. */
  prefix: string;
  /** `exec`: the program replaces this process instead of starting a new one. */
  replace?: LabProcess;
}

/** Iterations after which a loop yields to the event loop, so kills and closed channels get through. */
const yieldEvery = 256;

/** Guards that keep a runaway script from spinning a lab host forever. */
export interface ShellLimits {
  /** Iterations of one loop before the shell stops it (about 8 s of a busy loop). */
  loopIterations: number;
  /** Nested function calls (`f() { f; }`). */
  functionDepth: number;
}

const standardBinDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export class Interpreter {
  readonly host: ShellHost;
  readonly processes: ProcessTable;
  readonly limits: ShellLimits = { loopIterations: 100_000, functionDepth: 1000 };
  readonly #programs: Map<string, CommandHandler>;

  constructor(host: ShellHost, processes: ProcessTable) {
    this.host = host;
    this.processes = processes;
    this.#programs = hostPrograms(this);
  }

  /** Runs a script as a shell process to its end; resolves with the exit status. */
  async runShell(script: string, run: ShellRun): Promise<number> {
    const state = this.#newState(script, run);
    let status: number;
    try {
      status = await this.runSource(state, script);
    } catch (error) {
      status = this.#endStatus(state, error);
    }
    return this.#runExitTrap(state, status);
  }

  #newState(script: string, run: ShellRun): ShellState {
    const vars = new Map(Object.entries(run.env));
    const cwd = this.host.vfs.exists(run.cwd) ? run.cwd : '/';
    vars.set('PWD', cwd);
    // Like dash and bash, the shell never takes IFS from its environment.
    vars.set('IFS', ' \t\n');
    if (!vars.has('PS4')) vars.set('PS4', '+ ');
    return {
      kind: run.kind,
      name: run.name,
      user: run.user,
      cred: credentialsOf(run.user),
      cwd,
      vars,
      exported: new Set([...Object.keys(run.env), 'PWD']),
      readonlyVars: new Set(),
      functions: new Map(),
      positional: [...run.positional],
      status: 0,
      substitutionStatus: 0,
      process: run.process,
      signal: run.process.signal,
      lastBackground: undefined,
      jobs: new Map(),
      options: { errexit: run.errexit ?? false, nounset: false, noglob: false, xtrace: false, pipefail: false },
      exitTrap: undefined,
      fds: run.fds,
      line: 1,
      source: Buffer.from(script),
      locals: [],
      loopDepth: 0,
      returnDepth: 0,
      conditionDepth: 0,
      persistRedirections: false,
    };
  }

  /** Parses and runs script text in this shell (the script itself, `eval`, `.`). */
  async runSource(state: ShellState, script: string): Promise<number> {
    const file = this.#parse(state, script);
    if (isParseFailure(file)) {
      this.#syntaxError(state, file);
      throw new ShellExit(2);
    }
    const outer = state.source;
    state.source = Buffer.from(script);
    try {
      return await this.runStmts(state, file.Stmts);
    } finally {
      state.source = outer;
    }
  }

  #parse(state: ShellState, script: string): File | ParseFailure {
    if (state.kind === 'dash') return parseScript(script, 'posix');
    // bash: its own dialect first; this parser's bash mode rejects some valid lines
    // (`export A=1 "$x"`) that the POSIX mode reads.
    const bash = parseScript(script, 'bash');
    if (!isParseFailure(bash)) return bash;
    const posixFile = parseScript(script, 'posix');
    return isParseFailure(posixFile) ? bash : posixFile;
  }

  #syntaxError(state: ShellState, failure: ParseFailure): void {
    const token = /encountered (\S+)$/.exec(failure.message)?.[1] ?? /^"?([^"\s]+)"? can only be used/.exec(failure.message)?.[1];
    let text: string;
    if (state.kind === 'bash') {
      const detail = failure.incomplete ? 'syntax error: unexpected end of file'
        : token ? `syntax error near unexpected token \`${token}'` : `syntax error: ${failure.message}`;
      text = `${state.name}: -c: line ${failure.line}: ${detail}`;
    } else {
      const detail = /without matching \$\{/.test(failure.message) ? "Missing '}'"
        : failure.incomplete ? 'end of file unexpected'
          : token ? `"${token}" unexpected` : failure.message;
      text = `${state.name}: ${failure.line}: Syntax error: ${detail}`;
    }
    state.fds.stderr.write(`${text}\n`);
  }

  /** `bash: line 1: ` or `sh: 1: `. */
  prefix(state: ShellState): string {
    return state.kind === 'bash' ? `${state.name}: line ${state.line}: ` : `${state.name}: ${state.line}: `;
  }

  /** Writes an error in the shell's own voice. */
  error(state: ShellState, message: string): void {
    state.fds.stderr.write(`${this.prefix(state)}${message}\n`);
  }

  /** The status a (sub)shell ends with when `error` leaves it. */
  #endStatus(state: ShellState, error: unknown): number {
    if (error instanceof ShellExit) return error.status;
    if (error instanceof FunctionReturn) return error.status;
    if (error instanceof LoopControl) return state.status;
    if (error instanceof Interrupted) return statusOfAbort(error.signal);
    throw error;
  }

  async #runExitTrap(state: ShellState, status: number): Promise<number> {
    const trap = state.exitTrap;
    if (trap === undefined || state.signal.aborted) return status;
    state.exitTrap = undefined;
    state.status = status;
    try {
      await this.runSource(state, trap);
    } catch (error) {
      return this.#endStatus(state, error);
    }
    return status;
  }

  #check(state: ShellState): void {
    if (state.signal.aborted) throw new Interrupted(state.signal);
  }

  async runStmts(state: ShellState, stmts: readonly Stmt[]): Promise<number> {
    let status = 0;
    for (const stmt of stmts) status = await this.#stmt(state, stmt);
    return status;
  }

  /** Runs statements in a condition (`if`, `while`, left of `&&`): `set -e` is off there. */
  async #condition(state: ShellState, run: () => Promise<number>): Promise<number> {
    state.conditionDepth++;
    try {
      return await run();
    } finally {
      state.conditionDepth--;
    }
  }

  async #stmt(state: ShellState, stmt: Stmt, background = stmt.Background): Promise<number> {
    this.#check(state);
    state.line = stmt.pos.line;
    if (background) return this.#background(state, stmt);
    let status = stmt.Negated ? await this.#condition(state, () => this.#stmtBody(state, stmt)) : await this.#stmtBody(state, stmt);
    if (stmt.Negated) status = status === 0 ? 1 : 0;
    state.status = status;
    if (state.options.errexit && status !== 0 && state.conditionDepth === 0 && !stmt.Negated && stopsOnError(stmt.Cmd)) {
      throw new ShellExit(status);
    }
    return status;
  }

  /** The command with its redirections; errors that end a shell are reported here. */
  async #stmtBody(state: ShellState, stmt: Stmt): Promise<number> {
    try {
      return await this.#withRedirects(state, stmt.Redirs, () => this.#command(state, stmt.Cmd));
    } catch (error) {
      if (error instanceof ExpansionError) {
        this.error(state, error.message);
        throw new ShellExit(state.kind === 'dash' ? 2 : error.bashStatus);
      }
      if (error instanceof UnsupportedSyntax) {
        this.error(state, error.message);
        throw new ShellExit(2);
      }
      throw error;
    }
  }

  async #command(state: ShellState, command: SyntaxNode | null): Promise<number> {
    if (command === null) return 0;
    switch (command.type) {
      case 'CallExpr':
        return this.#call(state, command as CallExpr);
      case 'BinaryCmd':
        return this.#binary(state, command as BinaryCmd);
      case 'Block':
        return this.runStmts(state, (command as Block).Stmts);
      case 'Subshell':
        return this.subshell(state, (sub) => this.runStmts(sub, (command as Block).Stmts));
      case 'IfClause':
        return this.#if(state, command as IfClause);
      case 'WhileClause':
        return this.#while(state, command as WhileClause);
      case 'ForClause':
        return this.#for(state, command as ForClause);
      case 'CaseClause':
        return this.#case(state, command as CaseClause);
      case 'FuncDecl': {
        const declaration = command as FuncDecl;
        state.functions.set(declaration.Name.Value, declaration.Body);
        return 0;
      }
      case 'DeclClause':
        return this.#declaration(state, command as DeclClause);
      case 'TestClause':
        throw new UnsupportedSyntax('[[ ... ]]');
      case 'ArithmCmd':
        throw new UnsupportedSyntax('(( ... ))');
      default:
        throw new UnsupportedSyntax(command.type.replace(/Clause$/, '').toLowerCase());
    }
  }

  // ---- lists, pipelines, subshells, background jobs --------------------------------------------

  async #binary(state: ShellState, command: BinaryCmd): Promise<number> {
    const op = operators().binaryCmd.get(command.Op);
    if (op === '&&' || op === '||') {
      const left = await this.#condition(state, () => this.#stmt(state, command.X));
      if ((op === '&&') !== (left === 0)) return left;
      return this.#stmt(state, command.Y);
    }
    return this.#pipeline(state, pipelineStages(command), op === '|&');
  }

  /**
   * Every stage runs in a subshell at the same time, joined by pipes. A stage whose reader
   * has ended dies of SIGPIPE at its next write, as a real writer does.
   */
  async #pipeline(state: ShellState, stages: Stmt[], withStderr: boolean): Promise<number> {
    const pipes = stages.slice(1).map(() => new Pipe());
    const controllers = stages.map(() => new AbortController());
    const onAbort = (): void => controllers.forEach((controller) => controller.abort(state.signal.reason));
    state.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const statuses = await Promise.all(stages.map(async (stage, index) => {
        const input = pipes[index - 1];
        const output = pipes[index];
        if (output) output.onBrokenWrite = () => controllers[index]!.abort(new KilledBySignal(13));
        try {
          return await this.subshell(state, (sub) => {
            if (input) sub.fds.set(0, { input: input.source });
            if (output) {
              sub.fds.set(1, { output });
              if (withStderr) sub.fds.set(2, { output });
            }
            return this.#stmt(sub, stage);
          }, controllers[index]!.signal);
        } finally {
          output?.source.end();
          input?.closeReader();
        }
      }));
      this.#check(state);
      const last = statuses[statuses.length - 1] ?? 0;
      return state.options.pipefail ? ([...statuses].reverse().find((status) => status !== 0) ?? 0) : last;
    } finally {
      state.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Runs `body` in a copy of the shell; `exit`, `break` and kills end only the copy. */
  async subshell(state: ShellState, body: (sub: ShellState) => Promise<number>, signal: AbortSignal = state.signal): Promise<number> {
    const sub = cloneState(state, signal);
    let status: number;
    try {
      status = await body(sub);
    } catch (error) {
      if (error instanceof Interrupted && error.signal !== signal) throw error;
      status = this.#endStatus(sub, error);
    }
    status = await this.#runExitTrap(sub, status);
    this.#check(state);
    return status;
  }

  /** `$(...)`: the subshell's standard output, and its status for an assignment-only command. */
  async substitute(state: ShellState, stmts: Stmt[]): Promise<string> {
    const capture = new BufferSink();
    state.substitutionStatus = await this.subshell(state, (sub) => {
      sub.fds.set(1, { output: capture });
      return this.runStmts(sub, stmts);
    });
    return capture.text();
  }

  /** `cmd &`: a job in its own process (the pid `$!` names), reading /dev/null. */
  #background(state: ShellState, stmt: Stmt): number {
    const job = this.processes.spawn({
      uid: state.user.uid, argv: [state.name], pgid: state.process.pgid, parent: state.signal, ignored: state.process.ignored,
    });
    const done = this.subshell(state, (sub) => {
      sub.fds.set(0, { input: InputSource.empty() });
      return this.#stmt(sub, stmt, false);
    }, job.signal).catch(() => statusOfAbort(job.signal)).finally(() => this.processes.exit(job));
    state.jobs.set(job.pid, done);
    state.lastBackground = job.pid;
    return 0;
  }

  // ---- compound commands -------------------------------------------------------------------

  async #if(state: ShellState, clause: IfClause): Promise<number> {
    let branch: IfClause | null = clause;
    while (branch !== null) {
      const current: IfClause = branch;
      // A final `else` is an IfClause without a condition.
      if (current.Cond.length === 0) return this.runStmts(state, current.Then);
      const test = await this.#condition(state, () => this.runStmts(state, current.Cond));
      if (test === 0) return this.runStmts(state, current.Then);
      branch = current.Else;
    }
    return 0;
  }

  /** Runs a loop body; resolves false when the loop must stop (`break`). */
  async #loopBody(state: ShellState, body: readonly Stmt[], iteration: number): Promise<{ status: number; stop: boolean }> {
    if (iteration >= this.limits.loopIterations) {
      this.error(state, `loop stopped after ${this.limits.loopIterations} iterations (lab shell guard)`);
      throw new ShellExit(2);
    }
    if (iteration % yieldEvery === yieldEvery - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      this.#check(state);
    }
    try {
      return { status: await this.runStmts(state, body), stop: false };
    } catch (error) {
      if (!(error instanceof LoopControl)) throw error;
      if (error.levels > 1) {
        error.levels--;
        throw error;
      }
      return { status: state.status, stop: error.kind === 'break' };
    }
  }

  async #while(state: ShellState, clause: WhileClause): Promise<number> {
    let status = 0;
    state.loopDepth++;
    try {
      for (let iteration = 0; ; iteration++) {
        const test = await this.#condition(state, () => this.runStmts(state, clause.Cond));
        if ((test === 0) === clause.Until) break;
        const result = await this.#loopBody(state, clause.Do, iteration);
        status = result.status;
        if (result.stop) break;
      }
    } finally {
      state.loopDepth--;
    }
    return status;
  }

  async #for(state: ShellState, clause: ForClause): Promise<number> {
    if (clause.Select || clause.Loop.type !== 'WordIter') throw new UnsupportedSyntax(clause.Select ? 'select' : 'for ((...))');
    const loop = clause.Loop as WordIter;
    const items = loop.InPos.line > 0 ? await this.expander(state).fields(loop.Items) : [...state.positional];
    let status = 0;
    state.loopDepth++;
    try {
      for (const [iteration, item] of items.entries()) {
        this.setVar(state, loop.Name.Value, item);
        const result = await this.#loopBody(state, clause.Do, iteration);
        status = result.status;
        if (result.stop) break;
      }
    } finally {
      state.loopDepth--;
    }
    return status;
  }

  async #case(state: ShellState, clause: CaseClause): Promise<number> {
    const expander = this.expander(state);
    const subject = await expander.text(clause.Word);
    let status = 0;
    let fallThrough = false;
    for (const item of clause.Items) {
      let matched = fallThrough;
      for (const pattern of item.Patterns) {
        if (matched) break;
        matched = matchPattern(subject, await expander.pattern(pattern));
      }
      if (!matched) continue;
      status = await this.runStmts(state, item.Stmts);
      const op = operators().caseItem.get(item.Op);
      if (op === ';&') fallThrough = true;
      else if (op !== ';;&') return status;
      else fallThrough = false;
    }
    return status;
  }

  /** bash's `export`/`local`/`readonly`/`declare`, parsed as declarations: run as the builtins. */
  async #declaration(state: ShellState, clause: DeclClause): Promise<number> {
    const variant = clause.Variant.Value;
    const expander = this.expander(state);
    const args: string[] = [];
    for (const assign of clause.Args) {
      if (assign.Array || assign.Index) throw new UnsupportedSyntax('arrays');
      if (assign.Naked && assign.Name === null) args.push(...(assign.Value ? await expander.fields([assign.Value]) : []));
      else if (assign.Naked) args.push(assign.Name!.Value);
      else args.push(`${assign.Name!.Value}=${assign.Value ? await expander.text(assign.Value) : ''}`);
    }
    return this.invoke(state, [variant === 'declare' || variant === 'typeset' ? 'declare' : variant, ...args], new Map());
  }

  // ---- simple commands --------------------------------------------------------------------

  expander(state: ShellState): Expander {
    const vfs = this.host.vfs;
    return new Expander({
      dialect: state.kind,
      get: (name) => state.vars.get(name),
      set: (name, value) => this.setVar(state, name, value),
      special: (name) => this.#special(state, name),
      positional: state.positional,
      nounset: state.options.nounset,
      noglob: state.options.noglob,
      substitute: (stmts) => this.substitute(state, stmts),
      homeOf: (login) => (login === undefined ? state.vars.get('HOME') ?? state.user.home : this.host.accounts.user(login)?.home),
      glob: (pattern) => expandPathname(vfs, state.cwd, pattern, state.cred),
      sourceOf: (node) => state.source.subarray(node.pos.offset, node.end.offset).toString('utf8'),
    });
  }

  #special(state: ShellState, name: string): string {
    switch (name) {
      case '?':
        return String(state.status);
      case '$':
        return String(state.process.pid);
      case '!':
        return state.lastBackground === undefined ? '' : String(state.lastBackground);
      case '#':
        return String(state.positional.length);
      case '-':
        return `${state.options.errexit ? 'e' : ''}${state.options.noglob ? 'f' : ''}${state.options.nounset ? 'u' : ''}${state.options.xtrace ? 'x' : ''}`;
      default:
        return state.name;
    }
  }

  /** Sets a shell variable (exported ones reach commands' environments). */
  setVar(state: ShellState, name: string, value: string): void {
    if (state.readonlyVars.has(name)) {
      throw new ExpansionError(state.kind === 'dash' ? `${name}: is read only` : `${name}: readonly variable`);
    }
    state.vars.set(name, value);
  }

  async #assignments(state: ShellState, assigns: readonly Assign[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    const expander = this.expander(state);
    for (const assign of assigns) {
      if (assign.Array || assign.Index) throw new UnsupportedSyntax('arrays');
      const name = assign.Name!.Value;
      const value = assign.Value ? await expander.text(assign.Value) : '';
      values.set(name, assign.Append ? (state.vars.get(name) ?? '') + value : value);
    }
    return values;
  }

  async #call(state: ShellState, call: CallExpr): Promise<number> {
    state.substitutionStatus = 0;
    const argv = await this.expander(state).fields(call.Args);
    const assignments = await this.#assignments(state, call.Assigns);
    if (argv.length === 0) {
      for (const [name, value] of assignments) this.setVar(state, name, value);
      return state.substitutionStatus;
    }
    if (state.options.xtrace) {
      const words = [...[...assignments].map(([name, value]) => `${name}=${value}`), ...argv];
      state.fds.stderr.write(`${state.vars.get('PS4') ?? '+ '}${words.join(' ')}\n`);
    }
    return this.invoke(state, argv, assignments);
  }

  /** Runs a command by name: a function, a builtin, or a program. */
  async invoke(state: ShellState, argv: string[], assignments: ReadonlyMap<string, string>, skipFunctions = false): Promise<number> {
    const name = argv[0]!;
    const body = skipFunctions ? undefined : state.functions.get(name);
    if (body) return this.#callFunction(state, body, argv.slice(1), assignments);
    const builtin = builtinOf(state, name);
    if (builtin) {
      // Assignments before a special builtin stay in the shell; before others (`IFS= read`) they last for the command.
      const restore = isSpecialBuiltin(name) ? undefined : new Map([...assignments.keys()].map((variable) => [variable, state.vars.get(variable)]));
      for (const [variable, value] of assignments) this.setVar(state, variable, value);
      try {
        return await builtin({ interpreter: this, state, argv, assignments });
      } finally {
        for (const [variable, value] of restore ?? []) {
          if (value === undefined) state.vars.delete(variable);
          else state.vars.set(variable, value);
        }
        this.#check(state);
      }
    }
    const status = await this.program(state, argv, assignments);
    this.#check(state);
    return status;
  }

  async #callFunction(state: ShellState, body: Stmt, args: string[], assignments: ReadonlyMap<string, string>): Promise<number> {
    if (state.returnDepth >= this.limits.functionDepth) {
      this.error(state, `functions nested too deeply (more than ${this.limits.functionDepth}, lab shell guard)`);
      throw new ShellExit(2);
    }
    const positional = state.positional;
    const temporary = new Map([...assignments.keys()].map((name) => [name, state.vars.get(name)]));
    for (const [name, value] of assignments) this.setVar(state, name, value);
    state.positional = args;
    state.returnDepth++;
    state.locals.push(new Map());
    try {
      return await this.#stmt(state, body);
    } catch (error) {
      if (error instanceof FunctionReturn) return error.status;
      throw error;
    } finally {
      state.returnDepth--;
      state.positional = positional;
      for (const [name, value] of [...state.locals.pop()!, ...temporary]) {
        if (value === undefined) state.vars.delete(name);
        else state.vars.set(name, value);
      }
    }
  }

  /**
   * Runs a program (not a builtin or function) from a shell. With `replace` (`exec`) the
   * program takes over the shell's process, unless this is a subshell or pipeline stage,
   * which has no process of its own in the lab: then it runs as a child.
   */
  program(state: ShellState, argv: string[], assignments: ReadonlyMap<string, string>, replace = false): Promise<number> {
    return this.#program({
      argv,
      user: state.user,
      cwd: state.cwd,
      env: environmentOf(state, assignments),
      stdin: state.fds.stdin,
      stdout: state.fds.stdout,
      stderr: state.fds.stderr,
      signal: state.signal,
      pgid: state.process.pgid,
      ignored: state.process.ignored,
      kind: state.kind,
      prefix: this.prefix(state),
      ...(replace && state.signal === state.process.signal ? { replace: state.process } : {}),
    });
  }

  async #program(run: ProgramRun): Promise<number> {
    const name = run.argv[0]!;
    const cred = credentialsOf(run.user);
    const found = this.lookup(name, run.cwd, cred);
    if (found.kind === 'error') {
      const notFound = run.kind === 'bash' ? `${name}: command not found` : `${name}: not found`;
      run.stderr.write(`${run.prefix}${found.message || notFound}\n`);
      return found.status;
    }
    const process = run.replace ?? this.processes.spawn({ uid: run.user.uid, argv: run.argv, pgid: run.pgid, parent: run.signal, ignored: run.ignored });
    if (run.replace) process.argv = run.argv;
    const signal = process.signal;
    // A dead process writes nothing more.
    const gate = (sink: OutputSink): OutputSink => ({ write: (chunk) => (signal.aborted ? undefined : sink.write(chunk)) });
    const stdout = gate(run.stdout);
    const stderr = gate(run.stderr);
    const context: CommandContext = {
      argv: run.argv,
      host: this.host,
      user: run.user,
      cred,
      cwd: run.cwd,
      env: run.env,
      stdin: run.stdin,
      stdout,
      stderr,
      signal,
      shellKind: run.kind,
      shellPrefix: run.prefix,
      resolve: (path) => absolutePath(run.cwd, path),
      commandExists: (program, asUser = run.user) => this.lookup(program, run.cwd, credentialsOf(asUser)).kind !== 'error',
      exec: (argv, overrides = {}) =>
        this.#program({
          ...run,
          argv,
          user: overrides.user ?? run.user,
          cwd: overrides.cwd ?? run.cwd,
          env: overrides.env ?? run.env,
          stdin: overrides.stdin ?? run.stdin,
          stdout: overrides.stdout ?? stdout,
          stderr: overrides.stderr ?? stderr,
          signal: overrides.signal ?? signal,
          pgid: process.pgid,
          ignored: process.ignored,
          replace: undefined,
        }),
      runScript: async (script, options) => {
        const user = options.user ?? run.user;
        // The script runs in this program's process (`sh -c` is the shell program itself),
        // unless the caller gave it its own signal (`timeout`): then in a child process.
        const child = options.signal
          ? this.processes.spawn({ uid: user.uid, argv: [options.name], pgid: process.pgid, parent: options.signal, ignored: process.ignored })
          : undefined;
        try {
          return await this.runShell(script, {
            user,
            kind: options.kind,
            name: options.name,
            positional: options.positional ?? [],
            env: options.env ?? run.env,
            cwd: options.cwd ?? run.cwd,
            fds: Fds.standard(options.stdin ?? run.stdin, options.stdout ?? stdout, options.stderr ?? stderr),
            process: child ?? process,
            errexit: options.errexit,
          });
        } finally {
          if (child) this.processes.exit(child);
        }
      },
    };
    try {
      const handler = found.kind === 'script'
        ? () => context.runScript(found.script, { kind: found.shell, name, positional: run.argv.slice(1) })
        : () => found.handler(context);
      return await untilAborted(handler, signal);
    } catch (error) {
      if (signal.aborted) return statusOfAbort(signal);
      if (error instanceof ShellExit || error instanceof Interrupted) throw error;
      stderr.write(`${posix.basename(name)}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    } finally {
      if (!run.replace) this.processes.exit(process);
    }
  }

  /** What `name` runs as for a user in `cwd` (registered commands, lab binaries, scripts). */
  lookup(
    name: string,
    cwd: string,
    cred: ReturnType<typeof credentialsOf>,
  ):
    | { kind: 'handler'; handler: CommandHandler; path: string }
    | { kind: 'script'; script: string; shell: ShellKind; path: string }
    | { kind: 'error'; message: string; status: number } {
    const registry = this.host.commands;
    const vfs = this.host.vfs;
    const named = (base: string): CommandHandler | undefined => registry.get(base) ?? this.#programs.get(base);
    if (!name.includes('/')) {
      const handler = named(name);
      return handler ? { kind: 'handler', handler, path: `/usr/bin/${name}` } : { kind: 'error', message: '', status: 127 };
    }
    const path = absolutePath(cwd, name);
    const standard = standardBinDirs.includes(posix.dirname(path)) ? named(posix.basename(path)) : undefined;
    let stat;
    try {
      stat = vfs.stat(path, cred);
    } catch (error) {
      if (standard) return { kind: 'handler', handler: standard, path };
      const reason = isVfsError(error) ? error.strerror : 'No such file or directory';
      return { kind: 'error', message: `${name}: ${reason}`, status: isVfsError(error, 'EACCES') ? 126 : 127 };
    }
    if (stat.kind === 'dir') return { kind: 'error', message: `${name}: Is a directory`, status: 126 };
    if (!vfs.access(path, cred, 'x')) return { kind: 'error', message: `${name}: Permission denied`, status: 126 };
    const registered = registry.get(vfs.realpath(path)) ?? registry.get(path) ?? standard;
    if (registered) return { kind: 'handler', handler: registered, path };
    return scriptOrBinary(vfs, path, name);
  }

  // ---- redirections ------------------------------------------------------------------------

  async #withRedirects(state: ShellState, redirects: readonly Redirect[], run: () => Promise<number>): Promise<number> {
    if (redirects.length === 0) return run();
    const saved = state.fds;
    const fds = saved.clone();
    for (const redirect of redirects) {
      const failure = await this.#redirect(state, redirect, fds);
      if (failure !== undefined) return failure;
    }
    state.fds = fds;
    try {
      return await run();
    } finally {
      if (state.persistRedirections) state.persistRedirections = false;
      else if (state.fds === fds) state.fds = saved;
    }
  }

  /** Applies one redirection to `fds`; returns a status when it fails. */
  async #redirect(state: ShellState, redirect: Redirect, fds: Fds): Promise<number | undefined> {
    const op = operators().redirect.get(redirect.Op) ?? '';
    const expander = this.expander(state);
    const fd = redirect.N ? Number(redirect.N.Value) : op.startsWith('<') ? 0 : 1;
    if (op === '<<' || op === '<<-') {
      const body = redirect.Hdoc ? await expander.heredoc(redirect.Hdoc, isQuotedWord(redirect.Word), op === '<<-') : '';
      fds.set(fd, { input: InputSource.from(body) });
      return undefined;
    }
    const target = await expander.text(redirect.Word);
    if (op === '<<<') {
      fds.set(fd, { input: InputSource.from(`${target}\n`) });
      return undefined;
    }
    if (op === '>&' || op === '<&') {
      if (target === '-') {
        fds.close(fd);
        return undefined;
      }
      if (/^\d+$/.test(target)) {
        const source = fds.get(Number(target));
        if (!source) return this.#redirectFailure(state, `${target}: Bad file descriptor`);
        fds.set(fd, source);
        return undefined;
      }
      if (op === '<&' || redirect.N) return this.#redirectFailure(state, `${target}: ambiguous redirect`);
    }
    if (op === '<' || op === '<>') {
      try {
        const data = target === '/dev/null' ? '' : this.host.vfs.readFile(absolutePath(state.cwd, target), state.cred);
        fds.set(fd, { input: InputSource.from(data) });
        return undefined;
      } catch (error) {
        return this.#fileFailure(state, target, error, 'open');
      }
    }
    let sink: OutputSink;
    try {
      sink = this.#openOutput(state, target, op === '>>' || op === '&>>', fds.stderr);
    } catch (error) {
      return this.#fileFailure(state, target, error, 'create');
    }
    fds.set(fd, { output: sink });
    // `&>`, `&>>` and bash's `>& file`: standard output and error both.
    if (op === '&>' || op === '&>>' || op === '>&') fds.set(2, { output: sink });
    return undefined;
  }

  #openOutput(state: ShellState, target: string, append: boolean, stderr: OutputSink): OutputSink {
    if (target === '/dev/null') return nullSink;
    const vfs = this.host.vfs;
    const path = absolutePath(state.cwd, target);
    vfs.open(path, { write: true, create: true, truncate: !append }, state.cred, 0o666 & ~0o022);
    return new FileSink(vfs, path, state.cred, stderr);
  }

  #redirectFailure(state: ShellState, message: string): number {
    this.error(state, message);
    return state.kind === 'bash' ? 1 : 2;
  }

  #fileFailure(state: ShellState, target: string, error: unknown, action: 'create' | 'open'): number {
    const reason = isVfsError(error) ? error.strerror : String(error);
    return this.#redirectFailure(state, state.kind === 'bash' ? `${target}: ${reason}` : `cannot ${action} ${target}: ${reason}`);
  }
}

/** The stages of `a | b | c` (the parser nests them). */
function pipelineStages(command: BinaryCmd): Stmt[] {
  const flatten = (stmt: Stmt): Stmt[] => {
    const inner = stmt.Cmd;
    const plain = !stmt.Negated && !stmt.Background && stmt.Redirs.length === 0;
    if (plain && inner !== null && inner.type === 'BinaryCmd') {
      const op = operators().binaryCmd.get((inner as BinaryCmd).Op);
      if (op === '|' && operators().binaryCmd.get(command.Op) === '|') return pipelineStages(inner as BinaryCmd);
    }
    return [stmt];
  };
  return [...flatten(command.X), ...flatten(command.Y)];
}

/** `set -e` ends the shell after a failed simple command, pipeline or subshell (compound commands report their parts). */
function stopsOnError(command: SyntaxNode | null): boolean {
  if (command === null) return false;
  const type = command.type;
  if (type === 'BinaryCmd') {
    const op = operators().binaryCmd.get((command as BinaryCmd).Op);
    return op === '|' || op === '|&';
  }
  return type === 'CallExpr' || type === 'Subshell' || type === 'DeclClause';
}

/** A here-document delimiter with any quoting (`'EOF'`, `"EOF"`, `\EOF`) takes the body literally. */
function isQuotedWord(word: Word): boolean {
  return word.Parts.some((part) => part.type !== 'Lit' || /[\\'"]/.test((part as Lit).Value));
}

/** Resolves with the handler's status, or as soon as the process's signal aborts. */
function untilAborted(handler: () => Promise<number> | number, signal: AbortSignal): Promise<number> {
  if (signal.aborted) return Promise.resolve(statusOfAbort(signal));
  return new Promise<number>((resolve, reject) => {
    const onAbort = (): void => resolve(statusOfAbort(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(handler)
      .then(resolve, (error: unknown) => (signal.aborted ? resolve(statusOfAbort(signal)) : reject(error)))
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A file that is not a registered command: a script with a shell shebang, a lab binary, or neither. */
function scriptOrBinary(vfs: Vfs, path: string, name: string):
  | { kind: 'handler'; handler: CommandHandler; path: string }
  | { kind: 'script'; script: string; shell: ShellKind; path: string }
  | { kind: 'error'; message: string; status: number } {
  const content = vfs.readFile(path);
  const shebang = /^#!\s*(\S+)/.exec(content.subarray(0, 128).toString('utf8'));
  if (shebang && /\/(ba|da)?sh$/.test(shebang[1]!)) {
    // The shebang line stays: it is a comment, and line numbers in errors count it.
    return { kind: 'script', script: content.toString('utf8'), shell: posix.basename(shebang[1]!) === 'bash' ? 'bash' : 'dash', path };
  }
  if (readLabBinary(content)) return { kind: 'handler', handler: labBinaryCommand, path };
  return { kind: 'error', message: `${name}: cannot execute binary file: Exec format error`, status: 126 };
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

/** A pipe: what the writer writes, the reader reads; writing after the reader ended is SIGPIPE. */
class Pipe implements OutputSink {
  readonly source = new InputSource();
  onBrokenWrite: () => void = () => undefined;
  #readerClosed = false;

  write(chunk: string | Buffer): void {
    if (this.#readerClosed) this.onBrokenWrite();
    else this.source.push(chunk);
  }

  closeReader(): void {
    this.#readerClosed = true;
  }
}

/** `> file`: appends each write to the file on the VFS. */
class FileSink implements OutputSink {
  readonly #vfs: Vfs;
  readonly #path: string;
  readonly #cred: ReturnType<typeof credentialsOf>;
  readonly #stderr: OutputSink;
  #failed = false;

  constructor(vfs: Vfs, path: string, cred: ReturnType<typeof credentialsOf>, stderr: OutputSink) {
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
