import type { CommandContext } from '../shell';
import { isVfsError } from '../vfs';

/** A small GNU getopt: bundled short flags, `-n5`/`-n 5`, `--x=y`/`--x y`, `--`, permutation. */
export interface OptionSpec {
  /** Short flags without a value, e.g. `'lahd'`. */
  flags?: string;
  /** Short options taking a value, e.g. `'n'`. */
  values?: string;
  longFlags?: string[];
  longValues?: string[];
  /** Stop at the first operand (sudo, env, timeout, sh: the rest is a command). */
  stopAtOperand?: boolean;
  /** Treat `-N` (digits) as an option value for this letter (`head -5`). */
  digitsAs?: string;
}

export interface ParsedOptions {
  /** In command-line order; long options by their name, short ones by their letter. */
  options: Array<[string, string | true]>;
  operands: string[];
  error?: string;
}

export function getopt(args: readonly string[], spec: OptionSpec): ParsedOptions {
  const options: Array<[string, string | true]> = [];
  const operands: string[] = [];
  const flags = spec.flags ?? '';
  const values = spec.values ?? '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (spec.longValues?.includes(name)) {
        if (eq >= 0) options.push([name, arg.slice(eq + 1)]);
        else if (i + 1 < args.length) options.push([name, args[++i]!]);
        else return { options, operands, error: `option '--${name}' requires an argument` };
      } else if (spec.longFlags?.includes(name) && eq < 0) {
        options.push([name, true]);
      } else {
        return { options, operands, error: `unrecognized option '${arg}'` };
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      if (spec.digitsAs && /^-\d+$/.test(arg)) {
        options.push([spec.digitsAs, arg.slice(1)]);
        continue;
      }
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (values.includes(letter)) {
          const rest = arg.slice(j + 1);
          if (rest !== '') options.push([letter, rest]);
          else if (i + 1 < args.length) options.push([letter, args[++i]!]);
          else return { options, operands, error: `option requires an argument -- '${letter}'` };
          break;
        }
        if (!flags.includes(letter)) return { options, operands, error: `invalid option -- '${letter}'` };
        options.push([letter, true]);
      }
      continue;
    }
    if (spec.stopAtOperand) {
      operands.push(...args.slice(i));
      break;
    }
    operands.push(arg);
  }
  return { options, operands };
}

export function has(parsed: ParsedOptions, ...names: string[]): boolean {
  return parsed.options.some(([name]) => names.includes(name));
}

/** The last value given for any of `names`. */
export function value(parsed: ParsedOptions, ...names: string[]): string | undefined {
  let found: string | undefined;
  for (const [name, v] of parsed.options) if (names.includes(name) && typeof v === 'string') found = v;
  return found;
}

export function values(parsed: ParsedOptions, ...names: string[]): string[] {
  return parsed.options.filter(([name, v]) => names.includes(name) && typeof v === 'string').map(([, v]) => v as string);
}

/** coreutils' usage error: `cp: invalid option -- 'z'` + the `--help` hint; exit 1 (2 for some tools). */
export function usageError(ctx: CommandContext, program: string, message: string, status = 1): number {
  ctx.stderr.write(`${program}: ${message}\nTry '${program} --help' for more information.\n`);
  return status;
}

/** coreutils' `quoteaf()` for file names in messages: `'name'` (or `"it's"`). */
export function quote(name: string): string {
  return name.includes("'") ? `"${name}"` : `'${name}'`;
}

export function reason(error: unknown): string {
  if (isVfsError(error)) return error.strerror;
  return error instanceof Error ? error.message : String(error);
}

/** Writes a line to stderr and returns the status. */
export function fail(ctx: CommandContext, line: string, status = 1): number {
  ctx.stderr.write(`${line}\n`);
  return status;
}
