import { z } from 'zod';

/**
 * Every failure that crosses the contract is one of these codes. Services throw
 * `AppError`; the dispatcher turns anything else into INTERNAL without its stack.
 */
export const errorCodes = [
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
  'UNAVAILABLE',
  'TIMEOUT',
  'CANCELLED',
  'SSH_CONNECT',
  'SSH_AUTH',
  'SSH_HOST_KEY_UNKNOWN',
  'SSH_HOST_KEY_CHANGED',
  'SSH_CHANNEL',
  'SSH_DISCONNECTED',
  'SUDO',
  'TRANSFER',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** A code read back from a snapshot or a wire message; anything unknown becomes UNAVAILABLE. */
export function asErrorCode(code: string): ErrorCode {
  return (errorCodes as readonly string[]).includes(code) ? (code as ErrorCode) : 'UNAVAILABLE';
}

export const contractErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export type ContractError = z.infer<typeof contractErrorSchema>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toContract(): ContractError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromContract(error: ContractError): AppError {
    return new AppError(error.code, error.message, error.details);
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
