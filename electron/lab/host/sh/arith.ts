import { operators, type BinaryArithm, type ParenArithm, type SyntaxNode, type UnaryArithm, type Word } from './syntax';

/**
 * `$((...))`: signed 64-bit integer arithmetic as dash and bash do it (C operators,
 * truncating division, wrap-around), over the syntax tree the parser built.
 */

/** An error that ends a non-interactive shell (`$((1/0))`, `${x?}`, `set -u`). */
export class ExpansionError extends Error {
  /** Exit status per shell: dash always exits 2. */
  readonly bashStatus: number;

  constructor(message: string, bashStatus = 1) {
    super(message);
    this.bashStatus = bashStatus;
  }
}

export interface ArithmeticScope {
  /** A variable's value (undefined when unset). */
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** Expands a word inside the expression (`$x`, `$(cmd)`) to its text. */
  expand(word: Word): Promise<string>;
  /** Evaluates expression text that came out of an expansion (bash re-parses it). */
  evaluateText(text: string): Promise<bigint>;
  readonly dialect: 'dash' | 'bash';
}

const toInt64 = (value: bigint): bigint => BigInt.asIntN(64, value);
const truth = (value: boolean): bigint => (value ? 1n : 0n);
const name = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A C integer constant as the shells read them: decimal, 0octal, 0xhex (with an optional sign). */
export function parseInteger(text: string): bigint | undefined {
  const trimmed = text.trim();
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(trimmed);
  if (!match) return undefined;
  const [, sign, digits = ''] = match;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return toInt64(sign === '-' ? -magnitude : magnitude);
}

export class Arithmetic {
  readonly #scope: ArithmeticScope;

  constructor(scope: ArithmeticScope) {
    this.#scope = scope;
  }

  async evaluate(node: SyntaxNode): Promise<bigint> {
    switch (node.type) {
      case 'Word':
        return this.#word(node as Word);
      case 'ParenArithm':
        return this.evaluate((node as ParenArithm).X);
      case 'UnaryArithm':
        return this.#unary(node as UnaryArithm);
      case 'BinaryArithm':
        return this.#binary(node as BinaryArithm);
      default:
        throw new ExpansionError(`arithmetic expression: unsupported ${node.type}`);
    }
  }

  /** A variable's numeric value: unset or empty is 0. */
  async #variable(variable: string): Promise<bigint> {
    const value = this.#scope.get(variable) ?? '';
    if (value.trim() === '') return 0n;
    const number = parseInteger(value);
    if (number !== undefined) return number;
    if (this.#scope.dialect === 'bash') return this.#scope.evaluateText(value);
    throw new ExpansionError(`Illegal number: ${value}`);
  }

  async #word(word: Word): Promise<bigint> {
    const text = await this.#scope.expand(word);
    if (name.test(text)) return this.#variable(text);
    const number = parseInteger(text);
    if (number !== undefined) return number;
    if (text.trim() === '') return 0n;
    return this.#scope.evaluateText(text);
  }

  /** The variable an assignment or `++` writes to. */
  async #target(node: SyntaxNode, op: string): Promise<string> {
    if (node.type === 'Word') {
      const text = await this.#scope.expand(node as Word);
      if (name.test(text)) return text;
    }
    throw new ExpansionError(`arithmetic expression: expecting variable before "${op}"`);
  }

  async #unary(node: UnaryArithm): Promise<bigint> {
    const op = operators().unaryArithm.get(node.Op);
    if (op === '++' || op === '--') {
      if (this.#scope.dialect === 'dash') throw new ExpansionError('arithmetic expression: expecting primary');
      const variable = await this.#target(node.X, op);
      const before = await this.#variable(variable);
      const after = toInt64(op === '++' ? before + 1n : before - 1n);
      this.#scope.set(variable, String(after));
      return node.Post ? before : after;
    }
    const value = await this.evaluate(node.X);
    switch (op) {
      case '!':
        return truth(value === 0n);
      case '~':
        return toInt64(~value);
      case '-':
        return toInt64(-value);
      case '+':
        return value;
      default:
        throw new ExpansionError(`arithmetic expression: unsupported operator`);
    }
  }

  async #binary(node: BinaryArithm): Promise<bigint> {
    const op = operators().binaryArithm.get(node.Op) ?? '';
    // Short-circuit and conditional operators evaluate only what they need.
    if (op === '&&') return truth((await this.evaluate(node.X)) !== 0n && (await this.evaluate(node.Y)) !== 0n);
    if (op === '||') return truth((await this.evaluate(node.X)) !== 0n || (await this.evaluate(node.Y)) !== 0n);
    if (op === '?') {
      const branches = node.Y as BinaryArithm;
      return (await this.evaluate(node.X)) !== 0n ? this.evaluate(branches.X) : this.evaluate(branches.Y);
    }
    if (op === ',') {
      await this.evaluate(node.X);
      return this.evaluate(node.Y);
    }
    if (op.endsWith('=') && !['==', '!=', '<=', '>='].includes(op)) {
      const variable = await this.#target(node.X, op);
      const right = await this.evaluate(node.Y);
      const value = op === '=' ? right : this.#apply(op.slice(0, -1), await this.#variable(variable), right);
      this.#scope.set(variable, String(value));
      return value;
    }
    return this.#apply(op, await this.evaluate(node.X), await this.evaluate(node.Y));
  }

  #apply(op: string, x: bigint, y: bigint): bigint {
    switch (op) {
      case '+':
        return toInt64(x + y);
      case '-':
        return toInt64(x - y);
      case '*':
        return toInt64(x * y);
      case '/':
      case '%':
        if (y === 0n) throw new ExpansionError('arithmetic expression: division by zero');
        return toInt64(op === '/' ? x / y : x % y);
      case '**':
        if (this.#scope.dialect === 'dash') throw new ExpansionError('arithmetic expression: expecting primary');
        if (y < 0n) throw new ExpansionError('exponent less than 0');
        return toInt64(x ** y);
      case '<<':
        return toInt64(x << (y & 63n));
      case '>>':
        return toInt64(x >> (y & 63n));
      case '<':
        return truth(x < y);
      case '<=':
        return truth(x <= y);
      case '>':
        return truth(x > y);
      case '>=':
        return truth(x >= y);
      case '==':
        return truth(x === y);
      case '!=':
        return truth(x !== y);
      case '&':
        return toInt64(x & y);
      case '^':
        return toInt64(x ^ y);
      case '|':
        return toInt64(x | y);
      default:
        throw new ExpansionError(`arithmetic expression: unsupported operator ${op}`);
    }
  }
}
