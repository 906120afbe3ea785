/**
 * Server-side command failures, shaped like mongod's: `{ok: 0, errmsg, code, codeName}` plus
 * any extra fields (e.g. keyPattern/keyValue on duplicate keys). Codes are MongoDB's own
 * (src/mongo/base/error_codes.yml), so driver error handling sees what it would see in production.
 */
import type { Document } from 'bson';
import { MingoError } from 'mingo/util';

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
} as const;

export type CodeName = keyof typeof ErrorCodes;

export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: number;

  constructor(
    readonly codeName: CodeName,
    message: string,
    readonly extra: Document = {},
  ) {
    super(message);
    this.code = ErrorCodes[codeName];
  }

  /** The command reply mongod sends for this failure. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The entry mongod puts in a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/**
 * Maps anything a handler throws to a reply: mingo's errors are the client's bad query or
 * pipeline (BadValue, as mongod answers); anything else is a lab bug, reported as InternalError.
 */
export function asCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  if (error instanceof MingoError) return new CommandError('BadValue', error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new CommandError('InternalError', message);
}
