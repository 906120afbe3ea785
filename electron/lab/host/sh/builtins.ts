import { posix } from 'node:path';
import type { CommandHandler } from '../shell';
import { absolutePath, isVfsError } from '../vfs';
import type { Interpreter } from './interpreter';
import { signalNamesByNumber, signalNumbers, statusOfAbort, type LabProcess } from './processes';
import { FunctionReturn, LoopControl, ShellExit, type ShellState } from './state';

/**
 * The shell's builtins: what must run inside the shell (it changes the shell's state) or
 * what dash and bash build in (`kill`, `read`, `wait`). Messages follow the login shell.
 */

export interface BuiltinCall {
  interpreter: Interpreter;
  state: ShellState;
  argv: string[];
  /** `VAR=value` words before the command. */
  assignments: ReadonlyMap<string, string>;
}

type Builtin = (call: BuiltinCall) => number | Promise<number>;

const specialBuiltins = new Set([':', '.', 'break', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'trap', 'unset']);

export function isSpecialBuiltin(name: string): boolean {
  return specialBuiltins.has(name);
}

/** Commands that are also programs on a real host, registered commands or not: shown as builtins by `type`. */
const builtinLookalikes = ['echo', 'printf', 'test', '['];

const validName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The shells read builtin numbers (`exit 010`, `shift 2`) as plain decimals. */
function decimal(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

const out = (call: BuiltinCall, text: string): void => call.state.fds.stdout.write(text);
const fail = (call: BuiltinCall, message: string, status: number): number => {
  call.interpreter.error(call.state, message);
  return status;
};
/** A special builtin's usage error ends a dash script; bash reports and goes on. */
const fatal = (call: BuiltinCall, message: string, bashStatus = 1): number => {
  call.interpreter.error(call.state, message);
  if (call.state.kind === 'dash') throw new ShellExit(2);
  return bashStatus;
};

function exit(call: BuiltinCall): never {
  const [, arg] = call.argv;
  if (arg === undefined) throw new ShellExit(call.state.status);
  const status = decimal(arg);
  if (status === undefined) {
    call.interpreter.error(call.state, call.state.kind === 'dash' ? `exit: Illegal number: ${arg}` : `exit: ${arg}: numeric argument required`);
    throw new ShellExit(2);
  }
  throw new ShellExit(status & 0xff);
}

function returnBuiltin(call: BuiltinCall): number {
  const [, arg] = call.argv;
  const status = arg === undefined ? call.state.status : (decimal(arg) ?? 2) & 0xff;
  if (call.state.returnDepth > 0) throw new FunctionReturn(status);
  // dash ends a script at a top-level return; bash refuses it.
  if (call.state.kind === 'dash') throw new ShellExit(status);
  return fail(call, "return: can only `return' from a function or sourced script", 1);
}

function loopControl(kind: 'break' | 'continue'): Builtin {
  return (call) => {
    const [, arg] = call.argv;
    const levels = arg === undefined ? 1 : decimal(arg) ?? 0;
    if (levels < 1) return fatal(call, `${kind}: Illegal number: ${arg}`);
    // Outside a loop dash says nothing and goes on.
    if (call.state.loopDepth === 0) return 0;
    throw new LoopControl(kind, Math.min(levels, call.state.loopDepth));
  };
}

function cd(call: BuiltinCall): number {
  const { state, interpreter } = call;
  const args = call.argv.slice(1);
  while (args[0] === '-L' || args[0] === '-P') args.shift();
  if (args[0] === '--') args.shift();
  let target = args[0] ?? state.vars.get('HOME') ?? '/';
  const back = target === '-';
  if (back) target = state.vars.get('OLDPWD') ?? state.cwd;
  const path = posix.normalize(absolutePath(state.cwd, target));
  const vfs = interpreter.host.vfs;
  try {
    if (vfs.stat(path, state.cred).kind !== 'dir') throw new Error('ENOTDIR');
    if (!vfs.access(path, state.cred, 'x')) throw new Error('EACCES');
  } catch (error) {
    if (state.kind === 'dash') return fail(call, `cd: can't cd to ${target}`, 2);
    const reason = isVfsError(error) ? error.strerror : (error as Error).message === 'ENOTDIR' ? 'Not a directory' : 'Permission denied';
    return fail(call, `cd: ${target}: ${reason}`, 1);
  }
  state.vars.set('OLDPWD', state.cwd);
  state.cwd = path;
  state.vars.set('PWD', path);
  if (back) out(call, `${path}\n`);
  return 0;
}

/** `export`/`readonly` with `name[=value]` operands, or `-p` to list. */
function markVariables(kind: 'export' | 'readonly'): Builtin {
  return (call) => {
    const { state, interpreter } = call;
    const args = call.argv.slice(1).filter((arg) => arg !== '-p' && arg !== '--');
    const marked = kind === 'export' ? state.exported : state.readonlyVars;
    if (args.length === 0) {
      for (const name of [...marked].sort()) {
        const value = state.vars.get(name);
        if (state.kind === 'bash') out(call, `declare -${kind === 'export' ? 'x' : 'r'} ${name}${value === undefined ? '' : `="${value.replace(/(["\\$`])/g, '\\$1')}"`}\n`);
        else out(call, `${kind} ${name}${value === undefined ? '' : `='${value.replace(/'/g, `'\\''`)}'`}\n`);
      }
      return 0;
    }
    let status = 0;
    for (const arg of args) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (!validName.test(name)) {
        status = fatal(call, state.kind === 'dash' ? `${kind}: ${name}: bad variable name` : `${kind}: \`${arg}': not a valid identifier`);
        continue;
      }
      if (eq >= 0) interpreter.setVar(state, name, arg.slice(eq + 1));
      marked.add(name);
    }
    return status;
  };
}

function unset(call: BuiltinCall): number {
  const { state } = call;
  let functions = false;
  const names = call.argv.slice(1).filter((arg) => {
    if (arg === '-f') functions = true;
    return !/^-[fv]$/.test(arg);
  });
  for (const name of names) {
    if (functions) {
      state.functions.delete(name);
      continue;
    }
    if (state.readonlyVars.has(name)) return fatal(call, state.kind === 'dash' ? `unset: ${name}: is read only` : `unset: ${name}: cannot unset: readonly variable`);
    state.vars.delete(name);
    state.exported.delete(name);
  }
  return 0;
}

function local(call: BuiltinCall): number {
  const { state, interpreter } = call;
  const saved = state.locals[state.locals.length - 1];
  if (!saved) {
    return state.kind === 'dash' ? fatal(call, 'local: not in a function') : fail(call, 'local: can only be used in a function', 1);
  }
  for (const arg of call.argv.slice(1)) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!validName.test(name)) return fail(call, `local: \`${arg}': not a valid identifier`, state.kind === 'dash' ? 2 : 1);
    if (!saved.has(name)) saved.set(name, state.vars.get(name));
    if (eq >= 0) interpreter.setVar(state, name, arg.slice(eq + 1));
    else if (state.kind === 'bash') state.vars.delete(name);
  }
  return 0;
}

/** bash's `declare`/`typeset`: plain and exported (`-x`) variables only; local inside functions. */
function declareBuiltin(call: BuiltinCall): number {
  const { state, interpreter } = call;
  const isFlag = (arg: string): boolean => /^[-+][a-zA-Z]+$/.test(arg);
  const flags = call.argv.slice(1).filter(isFlag).join('');
  if (/[aAnirlutfFg]/.test(flags)) return fail(call, `declare: ${flags}: not supported by the lab shell`, 2);
  const operands = call.argv.slice(1).filter((arg) => !isFlag(arg));
  if (state.locals.length > 0) {
    const status = local({ ...call, argv: ['local', ...operands] });
    if (status !== 0) return status;
  } else {
    for (const operand of operands) {
      const eq = operand.indexOf('=');
      if (eq > 0) interpreter.setVar(state, operand.slice(0, eq), operand.slice(eq + 1));
    }
  }
  if (flags.includes('x')) for (const operand of operands) state.exported.add(operand.split('=')[0]!);
  return 0;
}

function set(call: BuiltinCall): number {
  const { state } = call;
  const args = call.argv.slice(1);
  if (args.length === 0) {
    for (const [name, value] of [...state.vars].sort(([a], [b]) => (a < b ? -1 : 1))) out(call, `${name}='${value.replace(/'/g, `'\\''`)}'\n`);
    return 0;
  }
  const letters: Record<string, keyof ShellState['options']> = { e: 'errexit', u: 'nounset', f: 'noglob', x: 'xtrace' };
  const names: Record<string, keyof ShellState['options']> = { errexit: 'errexit', nounset: 'nounset', noglob: 'noglob', xtrace: 'xtrace', pipefail: 'pipefail' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || arg === '-') {
      state.positional = args.slice(i + 1);
      return 0;
    }
    if (!/^[-+]/.test(arg)) {
      state.positional = args.slice(i);
      return 0;
    }
    const enable = arg.startsWith('-');
    if (arg === '-o' || arg === '+o') {
      const option = names[args[++i] ?? ''];
      if (option === undefined || (option === 'pipefail' && state.kind === 'dash')) return fatal(call, `set: Illegal option -o ${args[i] ?? ''}`, 2);
      state.options[option] = enable;
      continue;
    }
    for (const letter of arg.slice(1)) {
      const option = letters[letter];
      if (option) state.options[option] = enable;
      // Other options (-v, -C, -h, -m...) change nothing the lab models.
    }
  }
  return 0;
}

function shift(call: BuiltinCall): number {
  const count = call.argv[1] === undefined ? 1 : decimal(call.argv[1]) ?? -1;
  if (count < 0 || count > call.state.positional.length) {
    // bash fails quietly.
    return call.state.kind === 'bash' ? 1 : fatal(call, "shift: can't shift that many");
  }
  call.state.positional = call.state.positional.slice(count);
  return 0;
}

function evalBuiltin(call: BuiltinCall): Promise<number> {
  return call.interpreter.runSource(call.state, call.argv.slice(1).join(' '));
}

async function dot(call: BuiltinCall): Promise<number> {
  const { state, interpreter } = call;
  const [, name, ...args] = call.argv;
  if (name === undefined) return fatal(call, `${call.argv[0]}: filename argument required`, 2);
  const vfs = interpreter.host.vfs;
  const candidates = name.includes('/') ? [absolutePath(state.cwd, name)]
    : (state.vars.get('PATH') ?? '').split(':').filter(Boolean).map((dir) => posix.join(dir, name)).concat(state.kind === 'bash' ? [absolutePath(state.cwd, name)] : []);
  const path = candidates.find((candidate) => vfs.exists(candidate, state.cred) && vfs.stat(candidate, state.cred).kind === 'file');
  let script: string;
  try {
    script = vfs.readFile(path ?? candidates[0] ?? name, state.cred).toString('utf8');
  } catch (error) {
    const reason = isVfsError(error) ? error.strerror : 'No such file or directory';
    return fatal(call, state.kind === 'dash' ? `.: cannot open ${name}: ${reason}` : `${name}: ${reason}`);
  }
  const positional = state.positional;
  if (args.length > 0) state.positional = args;
  state.returnDepth++;
  try {
    return await interpreter.runSource(state, script);
  } catch (error) {
    if (error instanceof FunctionReturn) return error.status;
    throw error;
  } finally {
    state.returnDepth--;
    if (args.length > 0) state.positional = positional;
  }
}

async function exec(call: BuiltinCall): Promise<number> {
  const args = call.argv.slice(1);
  if (args[0] === '--') args.shift();
  if (args.length === 0) {
    // Only redirections: they stay for the rest of the shell.
    call.state.persistRedirections = true;
    return 0;
  }
  const { state, interpreter } = call;
  const found = interpreter.lookup(args[0]!, state.cwd, state.cred);
  if (found.kind === 'error') {
    const message = `exec: ${found.message || `${args[0]}: not found`}`;
    interpreter.error(state, message);
    throw new ShellExit(found.status);
  }
  throw new ShellExit(await interpreter.program(state, args, call.assignments, true));
}

/** How `command -v` and `type` see a name. */
function describe(call: BuiltinCall, name: string): { kind: 'function' | 'builtin' | 'keyword' | 'file'; path?: string } | undefined {
  const { state, interpreter } = call;
  if (['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done', '{', '}', '!'].includes(name)) return { kind: 'keyword' };
  if (state.functions.has(name)) return { kind: 'function' };
  if (builtinOf(state, name) || builtinLookalikes.includes(name)) return { kind: 'builtin' };
  const found = interpreter.lookup(name, state.cwd, state.cred);
  if (found.kind === 'error') return undefined;
  return { kind: 'file', path: name.includes('/') ? name : found.path };
}

async function command(call: BuiltinCall): Promise<number> {
  const args = call.argv.slice(1);
  let mode: 'run' | 'v' | 'V' = 'run';
  while (args[0]?.startsWith('-') && args[0] !== '-' ) {
    const flag = args.shift()!;
    if (flag === '--') break;
    if (flag.includes('v')) mode = 'v';
    if (flag.includes('V')) mode = 'V';
  }
  if (args.length === 0) return 0;
  if (mode === 'run') return call.interpreter.invoke(call.state, args, call.assignments, true);
  // dash looks up only the first name; bash fails only when it found none.
  const names = call.state.kind === 'dash' ? args.slice(0, 1) : args;
  let found = 0;
  for (const name of names) {
    const described = describe(call, name);
    if (!described) {
      if (mode === 'V') call.state.fds.stderr.write(`${name}: not found\n`);
      continue;
    }
    found++;
    if (mode === 'v') out(call, `${described.path ?? name}\n`);
    else out(call, `${typeLine(name, described)}\n`);
  }
  return found === 0 || (call.state.kind === 'dash' && found < names.length) ? 1 : 0;
}

function typeLine(name: string, found: { kind: string; path?: string }): string {
  if (found.kind === 'file') return `${name} is ${found.path}`;
  return `${name} is a shell ${found.kind}`;
}

function type(call: BuiltinCall): number {
  let status = 0;
  for (const name of call.argv.slice(1)) {
    const found = describe(call, name);
    if (found) {
      out(call, `${typeLine(name, found)}\n`);
      continue;
    }
    status = call.state.kind === 'dash' ? 127 : 1;
    if (call.state.kind === 'dash') out(call, `${name}: not found\n`);
    else call.interpreter.error(call.state, `type: ${name}: not found`);
  }
  return status;
}

function pwd(call: BuiltinCall): number {
  out(call, `${call.state.cwd}\n`);
  return 0;
}

async function wait(call: BuiltinCall): Promise<number> {
  const { state } = call;
  const pids = call.argv.slice(1);
  if (pids.length === 0) {
    await Promise.all(state.jobs.values());
    state.jobs.clear();
    return 0;
  }
  let status = 0;
  for (const pid of pids) {
    const job = state.jobs.get(Number(pid));
    if (!job) {
      status = 127;
      continue;
    }
    status = await job;
    state.jobs.delete(Number(pid));
  }
  return status;
}

async function read(call: BuiltinCall): Promise<number> {
  const { state, interpreter } = call;
  const args = call.argv.slice(1);
  let raw = false;
  while (args[0]?.startsWith('-')) {
    const flag = args.shift()!;
    if (flag === '--') break;
    if (flag === '-r') raw = true;
    else if (flag === '-p' && state.kind === 'bash') state.fds.stderr.write(args.shift() ?? '');
    else return fail(call, `read: Illegal option ${flag}`, 2);
  }
  const names = args.length > 0 ? args : ['REPLY'];
  let line = '';
  // A line cut short by the end of input is still assigned, but read then fails.
  let ended = false;
  for (;;) {
    let chunk: string | null;
    try {
      chunk = await state.fds.stdin.readLine(state.signal, true);
    } catch {
      return statusOfAbort(state.signal);
    }
    if (chunk === null) {
      ended = true;
      break;
    }
    const complete = chunk.endsWith('\n');
    if (complete) chunk = chunk.slice(0, -1);
    else ended = true;
    // Without -r a trailing backslash joins the next line.
    if (!raw && complete && /(^|[^\\])(\\\\)*\\$/.test(chunk)) {
      line += chunk.slice(0, -1);
      continue;
    }
    line += chunk;
    break;
  }
  if (ended && line === '') {
    for (const name of names) interpreter.setVar(state, name, '');
    return 1;
  }
  const ifs = state.vars.get('IFS') ?? ' \t\n';
  const isIfs = (ch: string): boolean => ifs.includes(ch);
  const isWhite = (ch: string): boolean => isIfs(ch) && /[ \t\n]/.test(ch);
  const fields: string[] = [];
  let i = 0;
  const skipWhite = (): void => {
    while (i < line.length && isWhite(line[i]!)) i++;
  };
  skipWhite();
  while (i < line.length && fields.length < names.length - 1) {
    let field = '';
    while (i < line.length && !isIfs(line[i]!)) {
      if (!raw && line[i] === '\\' && i + 1 < line.length) i++;
      field += line[i++];
    }
    fields.push(field);
    skipWhite();
    if (i < line.length && isIfs(line[i]!)) {
      i++;
      skipWhite();
    }
  }
  let rest = line.slice(i);
  while (rest !== '' && isWhite(rest[rest.length - 1]!)) rest = rest.slice(0, -1);
  fields.push(raw ? rest : rest.replace(/\\(.)/g, '$1'));
  names.forEach((name, index) => interpreter.setVar(state, name, fields[index] ?? ''));
  return ended ? 1 : 0;
}

/** A signal by name (`TERM`, `SIGTERM`) or number; undefined when there is no such signal. */
function signalNumber(spec: string): number | undefined {
  if (/^\d+$/.test(spec)) {
    const number = Number(spec);
    return number < signalNamesByNumber.length ? number : undefined;
  }
  return signalNumbers[spec.toUpperCase().replace(/^SIG/, '')];
}

function trap(call: BuiltinCall): number {
  const { state } = call;
  const args = call.argv.slice(1);
  if (args[0] === '--') args.shift();
  if (args.length === 0) {
    if (state.exitTrap !== undefined) out(call, `trap -- '${state.exitTrap.replace(/'/g, `'\\''`)}' EXIT\n`);
    for (const signal of state.process.ignored) out(call, `trap -- '' ${signalNamesByNumber[signal]}\n`);
    return 0;
  }
  // `trap SIG...` with a number first resets them, as `trap - SIG...` does.
  const action = /^\d+$/.test(args[0]!) && args.length > 1 ? '-' : args.shift()!;
  let status = 0;
  for (const spec of args.length > 0 ? args : [action]) {
    const isExit = spec === 'EXIT' || spec === '0';
    const signal = isExit ? 0 : signalNumber(spec);
    if (signal === undefined) {
      status = fail(call, `trap: ${spec}: bad trap`, 1);
      continue;
    }
    if (isExit) state.exitTrap = action === '-' || action === '' ? undefined : action;
    else if (action === '') state.process.ignored.add(signal);
    else if (action === '-') state.process.ignored.delete(signal);
    else status = fail(call, `trap: handlers for SIG${signalNamesByNumber[signal]} are not supported by the lab shell`, 2);
  }
  return status;
}

// ---- kill -------------------------------------------------------------------------------------

type KillProblem =
  | { kind: 'usage' }
  /** `-FOO` (as an option) or `-s FOO`. */
  | { kind: 'signal'; spec: string; asOption: boolean }
  | { kind: 'number'; spec: string }
  | { kind: 'process'; spec: string; reason: 'No such process' | 'Operation not permitted' };

/** Sends `signal` to a pid (> 0) or a process group (< 0), as `uid`; returns the errno text on failure. */
function signalTarget(interpreter: Interpreter, uid: number, target: number, signal: number): 'No such process' | 'Operation not permitted' | undefined {
  const { processes, host } = interpreter;
  const permitted = (owner: number): boolean => uid === 0 || owner === uid;
  // A service's main process leads its own group, so it answers both `kill PID` and `kill -PID`.
  const unit = host.services.units().find((candidate) => candidate.running && candidate.process?.pid === Math.abs(target));
  const victims = target > 0 ? [processes.get(target)].filter((p): p is LabProcess => p !== undefined) : processes.group(-target);
  if (victims.length === 0 && !unit) return 'No such process';
  const allowed = victims.filter((process) => permitted(process.uid));
  const unitAllowed = unit !== undefined && permitted(unit.process!.identity.uid);
  if (allowed.length === 0 && !unitAllowed) return 'Operation not permitted';
  for (const process of allowed) processes.signal(process, signal);
  if (unit && unitAllowed && signal !== 0) host.services.killMainProcess(unit.name, signal);
  return undefined;
}

/** `kill [-s SIG | -SIG] [--] pid|-pgid...` and `kill -l`; reports problems for the caller to word. */
function runKill(interpreter: Interpreter, args: string[], caller: { uid: number; pgid: number }, write: (text: string) => void): KillProblem[] {
  if (args.length === 0) return [{ kind: 'usage' }];
  if (args[0] === '-l' || args[0] === '-L') {
    const statuses = args.slice(1);
    if (statuses.length === 0) write(`${signalNamesByNumber.join('\n')}\n`);
    for (const status of statuses) write(`${signalNamesByNumber[Number(status) > 128 ? Number(status) - 128 : Number(status)] ?? status}\n`);
    return [];
  }
  let signal = 15;
  let rest = args;
  const first = args[0]!;
  if (first === '-s' || first === '-n') {
    const spec = args[1];
    if (spec === undefined) return [{ kind: 'usage' }];
    const number = signalNumber(spec);
    if (number === undefined) return [{ kind: 'signal', spec, asOption: false }];
    signal = number;
    rest = args.slice(2);
  } else if (first.startsWith('-') && first !== '--' && first.length > 1) {
    const number = signalNumber(first.slice(1));
    if (number === undefined) return [{ kind: 'signal', spec: first.slice(1), asOption: true }];
    signal = number;
    rest = args.slice(1);
  }
  if (rest[0] === '--') rest = rest.slice(1);
  if (rest.length === 0) return [{ kind: 'usage' }];
  const problems: KillProblem[] = [];
  for (const spec of rest) {
    if (!/^-?\d+$/.test(spec)) {
      problems.push({ kind: 'number', spec });
      continue;
    }
    const number = Number(spec);
    // 0 is the caller's own group; -1 (every process the caller may signal) is not modelled.
    const target = number === 0 ? -caller.pgid : number;
    const reason = target === -1 ? 'Operation not permitted' : signalTarget(interpreter, caller.uid, target, signal);
    if (reason !== undefined) problems.push({ kind: 'process', spec, reason });
  }
  return problems;
}

async function killBuiltin(call: BuiltinCall): Promise<number> {
  const { state, interpreter } = call;
  const problems = runKill(interpreter, call.argv.slice(1), { uid: state.user.uid, pgid: state.process.pgid }, (text) => out(call, text));
  const prefix = interpreter.prefix(state);
  const err = (text: string): void => state.fds.stderr.write(text);
  let status = 0;
  for (const problem of problems) {
    if (state.kind === 'bash') {
      status = problem.kind === 'usage' ? 2 : 1;
      if (problem.kind === 'usage') err('kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n');
      else if (problem.kind === 'signal') err(`${prefix}kill: ${problem.spec}: invalid signal specification\n`);
      else if (problem.kind === 'number') err(`${prefix}kill: ${problem.spec}: arguments must be process or job IDs\n`);
      else err(`${prefix}kill: (${problem.spec}) - ${problem.reason}\n`);
      continue;
    }
    status = problem.kind === 'process' ? 1 : 2;
    if (problem.kind === 'usage') err(`${prefix}kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]\n`);
    else if (problem.kind === 'signal') err(problem.asOption ? `${prefix}kill: Illegal option -${problem.spec[0]}\n` : `${prefix}kill: invalid signal number or name: ${problem.spec}\n`);
    else if (problem.kind === 'number') err(`${prefix}kill: Illegal number: ${problem.spec}\n`);
    // dash ends this message with an empty line.
    else err(`${prefix}kill: ${problem.reason}\n\n`);
  }
  return status;
}

/** Programs a Debian host has that the lab implements with the shell's knowledge: procps' `kill`, `which`, `pwd`. */
export function hostPrograms(interpreter: Interpreter): Map<string, CommandHandler> {
  const kill: CommandHandler = (ctx) => {
    const caller = interpreter.processes.ofSignal(ctx.signal);
    const name = ctx.argv[0]!;
    const problems = runKill(interpreter, ctx.argv.slice(1), { uid: ctx.user.uid, pgid: caller?.pgid ?? 0 }, (text) => ctx.stdout.write(text));
    for (const problem of problems) {
      if (problem.kind === 'usage') ctx.stderr.write('\nUsage:\n kill [options] <pid> [...]\n');
      else if (problem.kind === 'signal') ctx.stderr.write(`${name}: unknown signal name ${problem.spec}\n`);
      else if (problem.kind === 'number') ctx.stderr.write(`${name}: failed to parse argument: '${problem.spec}'\n`);
      else ctx.stderr.write(`${name}: (${problem.spec}): ${problem.reason}\n`);
    }
    return problems.length > 0 ? 1 : 0;
  };
  const which: CommandHandler = (ctx) => {
    let status = 0;
    for (const name of ctx.argv.slice(1)) {
      const found = interpreter.lookup(name, ctx.cwd, ctx.cred);
      if (found.kind === 'error') status = 1;
      else ctx.stdout.write(`${name.includes('/') ? name : found.path}\n`);
    }
    return status;
  };
  const pwd: CommandHandler = (ctx) => {
    ctx.stdout.write(`${ctx.cwd}\n`);
    return 0;
  };
  return new Map([['kill', kill], ['which', which], ['pwd', pwd]]);
}

const builtins = new Map<string, Builtin>([
  [':', () => 0],
  ['true', () => 0],
  ['false', () => 1],
  ['exit', exit],
  ['return', returnBuiltin],
  ['break', loopControl('break')],
  ['continue', loopControl('continue')],
  ['cd', cd],
  ['pwd', pwd],
  ['export', markVariables('export')],
  ['readonly', markVariables('readonly')],
  ['unset', unset],
  ['local', local],
  ['set', set],
  ['shift', shift],
  ['eval', evalBuiltin],
  ['.', dot],
  ['exec', exec],
  ['command', command],
  ['type', type],
  ['wait', wait],
  ['read', read],
  ['trap', trap],
  ['kill', killBuiltin],
]);

/** Builtins only bash has. */
const bashOnlyBuiltins = new Map<string, Builtin>([
  ['source', dot],
  ['declare', declareBuiltin],
  ['typeset', declareBuiltin],
]);

/** The builtin `name` is in this shell, if any. */
export function builtinOf(state: ShellState, name: string): Builtin | undefined {
  return builtins.get(name) ?? (state.kind === 'bash' ? bashOnlyBuiltins.get(name) : undefined);
}
