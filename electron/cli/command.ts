import type { Writable } from 'node:stream';

/** Exit codes shared by every subcommand (documented in `switchboard --help`). */
export const ExitCode = {
  ok: 0,
  /** Bad flags or arguments; nothing was done. */
  usage: 1,
  /** The command ran and found a problem: a P1 finding, a blocked check, a host that failed. */
  problem: 2,
  /** The command could not run: an internal or environment error. */
  failure: 3,
} as const;

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

export interface CliCommand {
  name: string;
  /** One line for `switchboard --help`. */
  summary: string;
  /** Full usage text for `switchboard NAME --help`. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/**
 * The first argument as one of a command's subcommands (`restart plan|run`), and the rest;
 * anything else is a usage error naming the choices.
 */
export function subcommandOf<S extends string>(argv: readonly string[], allowed: readonly S[]): [S, string[]] {
  const [subcommand, ...rest] = argv;
  if (subcommand !== undefined && (allowed as readonly string[]).includes(subcommand)) return [subcommand as S, rest];
  const choices = allowed.join(', ');
  const spoken = allowed.length === 2 ? allowed.join(' or ') : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
  throw new UsageError(subcommand === undefined ? `a subcommand is required: ${spoken}` : `unknown subcommand "${subcommand}" (${choices})`);
}

/** Raised by a command for bad input: printed as one line, exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
