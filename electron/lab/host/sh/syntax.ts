import { createRequire } from 'node:module';

/**
 * The lab shell's parser: mvdan/sh's `syntax` package (the parser behind shfmt), in its
 * GopherJS build `mvdan-sh`. It parses synchronously and hands back the Go syntax tree
 * behind wrapper objects whose every field read converts a Go value again (tens of
 * microseconds each), so each tree is copied once into plain objects (`type` holds the
 * Go type name, `pos`/`end` the positions); the interfaces below describe the part the
 * interpreter reads. Operator tokens are Go enum values, so they are learnt once by
 * parsing small samples instead of being hard-coded (see `operators`).
 *
 * sh-syntax (the WASM build) was tried first: its tree comes back as JSON in which every
 * interface-typed field (a statement's command, a word's parts) is an empty object
 * (un-ts/sh-syntax#128), so it cannot drive an interpreter.
 */

export interface Position {
  /** 0 when the position is absent (`for x` has no `in`). */
  line: number;
  col: number;
  /** In bytes of the UTF-8 source. */
  offset: number;
}

export interface SyntaxNode {
  /** The Go type name: `CallExpr`, `Lit`, `IfClause`... */
  type: string;
  pos: Position;
  end: Position;
}

export interface File extends SyntaxNode {
  Stmts: Stmt[];
}

export interface Stmt extends SyntaxNode {
  Cmd: SyntaxNode | null;
  Negated: boolean;
  Background: boolean;
  Coprocess: boolean;
  Redirs: Redirect[];
}

export interface Redirect extends SyntaxNode {
  Op: number;
  N: Lit | null;
  Word: Word;
  Hdoc: Word | null;
}

export interface Word extends SyntaxNode {
  Parts: SyntaxNode[];
}

export interface Lit extends SyntaxNode {
  Value: string;
}

export interface SglQuoted extends SyntaxNode {
  Dollar: boolean;
  Value: string;
}

export interface DblQuoted extends SyntaxNode {
  Dollar: boolean;
  Parts: SyntaxNode[];
}

export interface ParamExp extends SyntaxNode {
  Short: boolean;
  Excl: boolean;
  Length: boolean;
  Width: boolean;
  Param: Lit;
  Index: SyntaxNode | null;
  Slice: SyntaxNode | null;
  Repl: SyntaxNode | null;
  Exp: { Op: number; Word: Word | null } | null;
}

export interface CmdSubst extends SyntaxNode {
  Stmts: Stmt[];
}

export interface ArithmExp extends SyntaxNode {
  X: SyntaxNode;
}

export interface BinaryArithm extends SyntaxNode {
  Op: number;
  X: SyntaxNode;
  Y: SyntaxNode;
}

export interface UnaryArithm extends SyntaxNode {
  Op: number;
  Post: boolean;
  X: SyntaxNode;
}

export interface ParenArithm extends SyntaxNode {
  X: SyntaxNode;
}

export interface Assign extends SyntaxNode {
  Append: boolean;
  Naked: boolean;
  Name: Lit | null;
  Index: SyntaxNode | null;
  Value: Word | null;
  Array: SyntaxNode | null;
}

export interface CallExpr extends SyntaxNode {
  Assigns: Assign[];
  Args: Word[];
}

export interface BinaryCmd extends SyntaxNode {
  Op: number;
  X: Stmt;
  Y: Stmt;
}

export interface Block extends SyntaxNode {
  Stmts: Stmt[];
}

export interface IfClause extends SyntaxNode {
  Cond: Stmt[];
  Then: Stmt[];
  Else: IfClause | null;
}

export interface WhileClause extends SyntaxNode {
  Until: boolean;
  Cond: Stmt[];
  Do: Stmt[];
}

export interface ForClause extends SyntaxNode {
  Select: boolean;
  Loop: SyntaxNode;
  Do: Stmt[];
}

export interface WordIter extends SyntaxNode {
  Name: Lit;
  /** Without `in` (line 0), the loop runs over "$@". */
  InPos: Position;
  Items: Word[];
}

export interface CaseClause extends SyntaxNode {
  Word: Word;
  Items: CaseItem[];
}

export interface CaseItem extends SyntaxNode {
  Op: number;
  Patterns: Word[];
  Stmts: Stmt[];
}

export interface FuncDecl extends SyntaxNode {
  Name: Lit;
  Body: Stmt;
}

export interface DeclClause extends SyntaxNode {
  Variant: Lit;
  Args: Assign[];
}

export type ShellDialect = 'posix' | 'bash';

interface GoParser {
  Parse(source: string, name: string): unknown;
}

interface MvdanSyntax {
  NewParser(...options: unknown[]): GoParser;
  KeepComments(keep: boolean): unknown;
  Variant(language: unknown): unknown;
  LangBash: unknown;
  LangPOSIX: unknown;
}

let loaded: { syntax: MvdanSyntax; parsers: Record<ShellDialect, GoParser> } | undefined;

/** Loads the parser on first use (about 0.3 s), undoing the global its runtime changes. */
function library(): { syntax: MvdanSyntax; parsers: Record<ShellDialect, GoParser> } {
  if (loaded) return loaded;
  const stackTraceLimit = Error.stackTraceLimit;
  try {
    const { syntax } = createRequire(import.meta.url)('mvdan-sh') as { syntax: MvdanSyntax };
    const parser = (language: unknown): GoParser => syntax.NewParser(syntax.KeepComments(false), syntax.Variant(language));
    loaded = { syntax, parsers: { posix: parser(syntax.LangPOSIX), bash: parser(syntax.LangBash) } };
    return loaded;
  } finally {
    // GopherJS sets it to Infinity for Go stack traces; the rest of the process keeps its own.
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** A Go value behind a GopherJS wrapper, copied into plain data (fields are getters on the wrapper). */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null || typeof value !== 'object') return value;
  const wrapper = value as Record<string, unknown> & { $type?: string };
  const type = (wrapper.$type ?? '').replace(/^.*\.\*?/, '');
  if (type === 'Pos') {
    const pos = wrapper as unknown as { Line(): number; Col(): number; Offset(): number };
    return { line: pos.Line(), col: pos.Col(), offset: pos.Offset() } satisfies Position;
  }
  const plain: Record<string, unknown> = { type };
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(wrapper))) {
    if (descriptor.get) plain[key] = toPlain(wrapper[key]);
  }
  if (typeof wrapper.Pos === 'function') plain.pos = toPlain((wrapper.Pos as () => unknown)());
  if (typeof wrapper.End === 'function') plain.end = toPlain((wrapper.End as () => unknown)());
  return plain;
}

export interface ParseFailure {
  message: string;
  line: number;
  /** The input ended inside a construct (`if` without `fi`, an open quote). */
  incomplete: boolean;
}

/** Parses a script; a syntax error comes back as a value, never thrown. */
export function parseScript(source: string, dialect: ShellDialect): File | ParseFailure {
  const { parsers } = library();
  let tree: unknown;
  try {
    tree = parsers[dialect].Parse(source, '');
  } catch (error) {
    return parseFailure(error);
  }
  return toPlain(tree) as File;
}

export function isParseFailure(value: File | ParseFailure): value is ParseFailure {
  return 'message' in value && typeof value.message === 'string';
}

function parseFailure(error: unknown): ParseFailure {
  const goError = error as { Error?: () => string; Pos?: { Line(): number }; Incomplete?: boolean; Text?: string } | null;
  const full = typeof goError?.Error === 'function' ? goError.Error() : String(error);
  // `name:line:col: text` -> text
  const message = goError?.Text ?? full.replace(/^[^:]*:\d+:\d+: /, '');
  const line = typeof goError?.Pos?.Line === 'function' ? goError.Pos.Line() : 1;
  return { message, line, incomplete: goError?.Incomplete === true || /reached EOF|end of file/.test(message) };
}

export interface Operators {
  redirect: Map<number, string>;
  binaryCmd: Map<number, string>;
  caseItem: Map<number, string>;
  expansion: Map<number, string>;
  binaryArithm: Map<number, string>;
  unaryArithm: Map<number, string>;
}

let operatorTables: Operators | undefined;

/** Operator spellings by token value, learnt by parsing one sample of each. */
export function operators(): Operators {
  if (operatorTables) return operatorTables;
  const firstStmt = (source: string): Stmt => {
    const file = parseScript(source, 'bash');
    if (isParseFailure(file)) throw new Error(`lab shell: cannot learn operators from ${JSON.stringify(source)}: ${file.message}`);
    return file.Stmts[0]!;
  };
  const table = <T extends string>(spellings: readonly T[], sample: (op: T) => number): Map<number, string> =>
    new Map(spellings.map((op) => [sample(op), op]));
  const arithmetic = (source: string): SyntaxNode => ((firstStmt(`echo $((${source}))`).Cmd as CallExpr).Args[1]!.Parts[0] as ArithmExp).X;
  const paramExp = (source: string): ParamExp => (firstStmt(`echo ${source}`).Cmd as CallExpr).Args[1]!.Parts[0] as ParamExp;

  operatorTables = {
    redirect: table(['>', '>>', '<', '<>', '>|', '>&', '<&', '<<', '<<-', '&>', '&>>', '<<<'], (op) =>
      firstStmt(op.startsWith('<<') && op !== '<<<' ? `x ${op}E\nE\n` : `x ${op}${op.endsWith('&') ? '1' : 'f'}`).Redirs[0]!.Op),
    binaryCmd: table(['&&', '||', '|', '|&'], (op) => (firstStmt(`a ${op} b`).Cmd as BinaryCmd).Op),
    caseItem: table([';;', ';&', ';;&'], (op) => (firstStmt(`case x in x) a ${op} esac`).Cmd as CaseClause).Items[0]!.Op),
    expansion: table([':-', '-', ':=', '=', ':+', '+', ':?', '?', '#', '##', '%', '%%'], (op) => paramExp(`\${a${op}b}`).Exp!.Op),
    binaryArithm: table(
      ['+', '-', '*', '/', '%', '**', '<<', '>>', '<', '<=', '>', '>=', '==', '!=', '&', '^', '|', '&&', '||',
        '=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=', ',', '?', ':'],
      (op) => {
        if (op === ':') return ((arithmetic('a ? b : c') as BinaryArithm).Y as BinaryArithm).Op;
        if (op === '?') return (arithmetic('a ? b : c') as BinaryArithm).Op;
        return (arithmetic(`a ${op} b`) as BinaryArithm).Op;
      },
    ),
    unaryArithm: table(['!', '~', '-', '+', '++', '--'], (op) => (arithmetic(`${op}a`) as UnaryArithm).Op),
  };
  return operatorTables;
}
