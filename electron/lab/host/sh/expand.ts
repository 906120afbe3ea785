import { Arithmetic, ExpansionError } from './arith';
import { hasMagic, removeAffix, type PatternPiece } from './pattern';
import {
  isParseFailure, operators, parseScript,
  type ArithmExp, type CallExpr, type CmdSubst, type DblQuoted, type Lit, type ParamExp, type SglQuoted, type Stmt, type SyntaxNode, type Word,
} from './syntax';

/**
 * Word expansion in POSIX order: tilde, parameters, command substitution and arithmetic,
 * then field splitting on the results of unquoted expansions (IFS), pathname expansion of
 * unquoted pattern characters, and quote removal. Quoting is tracked per piece of text
 * from the syntax tree, so nothing in a value is ever parsed or expanded again.
 */

/** A construct the parser knows but the lab shell does not run (`${x/a/b}`, `<(...)`). */
export class UnsupportedSyntax extends Error {
  readonly construct: string;

  constructor(construct: string) {
    super(`${construct} is not supported by the lab shell`);
    this.construct = construct;
  }
}

export interface ExpansionHost {
  readonly dialect: 'dash' | 'bash';
  /** A shell variable (undefined when unset). */
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** `$?`, `$$`, `$!`, `$-`, `$0`. */
  special(name: string): string;
  readonly positional: readonly string[];
  readonly nounset: boolean;
  readonly noglob: boolean;
  /** Runs a command substitution in a subshell; resolves with its standard output. */
  substitute(stmts: Stmt[]): Promise<string>;
  /** A user's home directory (the current user's for undefined); undefined when unknown. */
  homeOf(user: string | undefined): string | undefined;
  /** Pathname expansion: the sorted matches, empty when none. */
  glob(pattern: PatternPiece[]): string[];
  /** The source text of a node, for error messages. */
  sourceOf(node: SyntaxNode): string;
}

type Piece = { text: string; quoted: boolean; split: boolean } | { fieldBreak: true };

interface Context {
  /** Inside double quotes (or a here-document): no splitting, no globbing. */
  quoted: boolean;
  /** Literal text is split too (the word of an unquoted `${x:-a b}`). */
  splitLiterals: boolean;
}

const defaultIfs = ' \t\n';

export class Expander {
  readonly #host: ExpansionHost;

  constructor(host: ExpansionHost) {
    this.#host = host;
  }

  /** Command arguments and `for` items: split and globbed, each word into zero or more fields. */
  async fields(words: readonly Word[]): Promise<string[]> {
    const result: string[] = [];
    for (const word of words) {
      const pieces: Piece[] = [];
      await this.#parts(word.Parts, { quoted: false, splitLiterals: false }, pieces, true);
      for (const field of this.#split(pieces)) {
        if (!this.#host.noglob && hasMagic(field)) {
          const matches = this.#host.glob(field);
          if (matches.length > 0) {
            result.push(...matches);
            continue;
          }
        }
        result.push(field.map((piece) => piece.text).join(''));
      }
    }
    return result;
  }

  /** One string, no splitting or globbing (assignments, redirection targets, `case` words). */
  async text(word: Word): Promise<string> {
    const pieces: Piece[] = [];
    await this.#parts(word.Parts, { quoted: false, splitLiterals: false }, pieces, true);
    return pieces.map((piece) => ('fieldBreak' in piece ? ' ' : piece.text)).join('');
  }

  /** A pattern (`case`, `${x#...}`): unquoted pieces keep their special characters. */
  async pattern(word: Word): Promise<PatternPiece[]> {
    const pieces: Piece[] = [];
    await this.#parts(word.Parts, { quoted: false, splitLiterals: false }, pieces, false);
    return pieces.map((piece) => ('fieldBreak' in piece ? { text: ' ', quoted: true } : { text: piece.text, quoted: piece.quoted }));
  }

  /** A here-document body; with a quoted delimiter it is taken literally. */
  async heredoc(body: Word, quotedDelimiter: boolean, stripTabs: boolean): Promise<string> {
    let text = '';
    for (const [index, part] of body.Parts.entries()) {
      if (part.type === 'Lit') {
        let value = (part as Lit).Value;
        if (stripTabs) value = (index === 0 ? value.replace(/^\t+/, '') : value).replace(/\n\t+/g, '\n');
        text += quotedDelimiter ? value : value.replace(/\\([$`\\])|\\\n/g, (_, escaped: string | undefined) => escaped ?? '');
        continue;
      }
      const pieces: Piece[] = [];
      await this.#parts([part], { quoted: true, splitLiterals: false }, pieces, false);
      text += pieces.map((piece) => ('fieldBreak' in piece ? ' ' : piece.text)).join('');
    }
    return text;
  }

  /** `$((...))` on its own. */
  async arithmetic(node: ArithmExp): Promise<bigint> {
    try {
      return await this.#arithmetic().evaluate(node.X);
    } catch (error) {
      if (!(error instanceof ExpansionError) || !error.message.startsWith('arithmetic expression:')) throw error;
      const source = this.#host.sourceOf(node).replace(/^\$\(\(|\)\)$/g, '');
      if (this.#host.dialect === 'dash') throw new ExpansionError(`${error.message}: "${source}"`);
      throw new ExpansionError(`${source}: ${error.message.replace(/^arithmetic expression: /, '').replace('division by zero', 'division by 0')}`);
    }
  }

  #arithmetic(): Arithmetic {
    return new Arithmetic({
      dialect: this.#host.dialect,
      get: (name) => this.#host.get(name),
      set: (name, value) => this.#host.set(name, value),
      expand: (word) => this.text(word),
      evaluateText: async (text) => {
        const file = parseScript(`: $((${text}))`, 'posix');
        const invalid = (): ExpansionError => new ExpansionError(`arithmetic expression: expecting primary: "${text}"`);
        if (isParseFailure(file)) throw invalid();
        const part = (file.Stmts[0]?.Cmd as CallExpr | undefined)?.Args[1]?.Parts[0];
        if (part === undefined || part.type !== 'ArithmExp') throw invalid();
        return this.#arithmetic().evaluate((part as ArithmExp).X);
      },
    });
  }

  async #parts(parts: readonly SyntaxNode[], context: Context, out: Piece[], tilde: boolean): Promise<void> {
    for (const [index, part] of parts.entries()) {
      switch (part.type) {
        case 'Lit':
          this.#literal((part as Lit).Value, context, out, tilde && index === 0);
          break;
        case 'SglQuoted': {
          const quoted = part as SglQuoted;
          out.push({ text: quoted.Dollar ? ansiC(quoted.Value) : quoted.Value, quoted: true, split: false });
          break;
        }
        case 'DblQuoted': {
          const quoted = part as DblQuoted;
          // "" is an (empty) field of its own; "$@" without parameters is none.
          if (!quoted.Parts.some(isAllParameters)) out.push({ text: '', quoted: true, split: false });
          await this.#parts(quoted.Parts, { quoted: true, splitLiterals: false }, out, false);
          break;
        }
        case 'ParamExp':
          await this.#parameter(part as ParamExp, context, out);
          break;
        case 'CmdSubst': {
          const output = await this.#host.substitute((part as CmdSubst).Stmts);
          this.#pushValue(output.replace(/\n+$/, ''), context, out);
          break;
        }
        case 'ArithmExp':
          this.#pushValue(String(await this.arithmetic(part as ArithmExp)), context, out);
          break;
        case 'ProcSubst':
          throw new UnsupportedSyntax('process substitution');
        case 'BraceExp':
          throw new UnsupportedSyntax('brace expansion');
        default:
          throw new UnsupportedSyntax(part.type);
      }
    }
  }

  #pushValue(text: string, context: Context, out: Piece[]): void {
    out.push({ text, quoted: context.quoted, split: !context.quoted });
  }

  #literal(value: string, context: Context, out: Piece[], tilde: boolean): void {
    if (context.quoted) {
      // Inside double quotes a backslash escapes only $ ` " \ and newline.
      out.push({ text: value.replace(/\\([$`"\\\n])/g, '$1'), quoted: true, split: false });
      return;
    }
    let text = value;
    if (tilde && text.startsWith('~')) {
      const end = text.indexOf('/');
      const login = text.slice(1, end < 0 ? text.length : end);
      const home = /^[A-Za-z0-9_.-]*$/.test(login) ? this.#host.homeOf(login === '' ? undefined : login) : undefined;
      if (home !== undefined) {
        out.push({ text: home, quoted: true, split: false });
        text = text.slice(1 + login.length);
      }
    }
    let plain = '';
    const flush = (): void => {
      if (plain !== '') out.push({ text: plain, quoted: false, split: context.splitLiterals });
      plain = '';
    };
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length) {
        flush();
        out.push({ text: text[i + 1]!, quoted: true, split: false });
        i++;
      } else plain += ch;
    }
    flush();
  }

  #variable(name: string): string | undefined {
    if (/^\d+$/.test(name)) return name === '0' ? this.#host.special('0') : this.#host.positional[Number(name) - 1];
    if (/^[?$!#-]$/.test(name)) return this.#host.special(name);
    return this.#host.get(name);
  }

  async #parameter(expansion: ParamExp, context: Context, out: Piece[]): Promise<void> {
    if (expansion.Excl || expansion.Index || expansion.Slice || expansion.Repl || expansion.Width) {
      throw new UnsupportedSyntax(`\${...} with ${expansion.Excl ? '!' : expansion.Repl ? 'pattern replacement' : expansion.Slice ? 'substrings' : 'indexes'}`);
    }
    const name = expansion.Param.Value;
    const positional = this.#host.positional;
    const all = name === '@' || name === '*';
    const value = all ? positional.join(' ') : this.#variable(name);
    if (expansion.Length) {
      if (value === undefined && this.#host.nounset) throw this.#unset(name);
      this.#pushValue(String(all ? positional.length : [...(value ?? '')].length), context, out);
      return;
    }
    const pushOwn = (): void => {
      if (all) this.#pushAll(name, context, out);
      else this.#pushValue(value ?? '', context, out);
    };
    const op = expansion.Exp ? operators().expansion.get(expansion.Exp.Op) : undefined;
    const isSet = all ? positional.length > 0 : value !== undefined;
    if (op === undefined) {
      if (!isSet && !all && this.#host.nounset) throw this.#unset(name);
      pushOwn();
      return;
    }
    const word = expansion.Exp?.Word ?? undefined;
    const useOwn = op.startsWith(':') ? isSet && value !== '' : isSet;
    const operandContext: Context = { quoted: context.quoted, splitLiterals: !context.quoted };
    switch (op.replace(':', '')) {
      case '-':
        if (useOwn) pushOwn();
        else if (word) await this.#parts(word.Parts, operandContext, out, true);
        return;
      case '+':
        if (useOwn && word) await this.#parts(word.Parts, operandContext, out, true);
        return;
      case '=': {
        if (useOwn) {
          pushOwn();
          return;
        }
        if (all || /^[\d?$!#-]/.test(name)) throw new ExpansionError(`${name}: bad variable name`, 1);
        const assigned = word ? await this.text(word) : '';
        this.#host.set(name, assigned);
        this.#pushValue(assigned, context, out);
        return;
      }
      case '?': {
        if (useOwn) {
          pushOwn();
          return;
        }
        const message = word ? await this.text(word) : '';
        throw new ExpansionError(`${name}: ${message || (op === ':?' && this.#host.dialect === 'bash' ? 'parameter null or not set' : 'parameter not set')}`, 127);
      }
      default: {
        if (!isSet && this.#host.nounset) throw this.#unset(name);
        const pattern = word ? await this.pattern(word) : [];
        const side = op.startsWith('#') ? 'prefix' : 'suffix';
        this.#pushValue(removeAffix(value ?? '', pattern, side, op.length === 2), context, out);
      }
    }
  }

  /** `set -u` and an unset parameter. */
  #unset(name: string): ExpansionError {
    return new ExpansionError(`${name}: ${this.#host.dialect === 'bash' ? 'unbound variable' : 'parameter not set'}`, 127);
  }

  /** `$@` and `$*`: one field per parameter, except `"$*"` (joined by the first IFS character). */
  #pushAll(name: string, context: Context, out: Piece[]): void {
    const positional = this.#host.positional;
    if (context.quoted && name === '*') {
      const ifs = this.#host.get('IFS') ?? defaultIfs;
      out.push({ text: positional.join(ifs.slice(0, 1)), quoted: true, split: false });
      return;
    }
    positional.forEach((parameter, index) => {
      if (index > 0) out.push({ fieldBreak: true });
      this.#pushValue(parameter, context, out);
    });
  }

  /** Field splitting: only pieces marked `split` are cut, at IFS characters. */
  #split(pieces: readonly Piece[]): PatternPiece[][] {
    const ifs = this.#host.get('IFS') ?? defaultIfs;
    const whitespace = (ch: string): boolean => ifs.includes(ch) && (ch === ' ' || ch === '\t' || ch === '\n');
    const fields: PatternPiece[][] = [];
    let current: PatternPiece[] = [];
    let started = false;
    let endedByWhitespace = false;
    const emit = (): void => {
      fields.push(current);
      current = [];
      started = false;
    };
    const append = (text: string, quoted: boolean): void => {
      const last = current[current.length - 1];
      if (last && last.quoted === quoted) last.text += text;
      else current.push({ text, quoted });
    };
    for (const piece of pieces) {
      if ('fieldBreak' in piece) {
        if (started) emit();
        endedByWhitespace = false;
        continue;
      }
      if (!piece.split || ifs === '') {
        if (piece.text !== '') append(piece.text, piece.quoted);
        if (piece.text !== '' || piece.quoted) {
          started = true;
          endedByWhitespace = false;
        }
        continue;
      }
      for (const ch of piece.text) {
        if (whitespace(ch)) {
          if (started) {
            emit();
            endedByWhitespace = true;
          }
        } else if (ifs.includes(ch)) {
          // A non-whitespace separator ends a field, even an empty one, unless whitespace just did.
          if (started || !endedByWhitespace) emit();
          endedByWhitespace = false;
        } else {
          append(ch, false);
          started = true;
          endedByWhitespace = false;
        }
      }
    }
    if (started) emit();
    return fields;
  }
}

/** Does this part of a double-quoted string expand `$@`? */
function isAllParameters(part: SyntaxNode): boolean {
  return part.type === 'ParamExp' && (part as ParamExp).Param.Value === '@' && !(part as ParamExp).Length;
}

/** bash's `$'...'` quoting. */
function ansiC(text: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', E: '\x1b', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (whole, escape: string) => {
    if (escape in simple) return simple[escape]!;
    if (escape.startsWith('x')) return String.fromCharCode(parseInt(escape.slice(1), 16));
    if (/^[0-7]+$/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
    return whole;
  });
}
