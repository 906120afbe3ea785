import type { z } from 'zod';
import type { ContractError } from './errors';

/** A request/response call from renderer (or CLI) to the main process. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'call';
  readonly summary: string;
  readonly input: I;
  readonly output: O;
}

/** A push from the main process to every connected renderer. */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly summary: string;
  readonly payload: P;
}

export function defineCall<I extends z.ZodType, O extends z.ZodType>(
  summary: string,
  input: I,
  output: O,
): CallSpec<I, O> {
  return { kind: 'call', summary, input, output };
}

export function defineEvent<P extends z.ZodType>(summary: string, payload: P): EventSpec<P> {
  return { kind: 'event', summary, payload };
}

/** Calls grouped by capability: `{ settings: { get, update } }` becomes channel `settings.get`. */
export type CallGroups = Record<string, Record<string, CallSpec>>;
export type EventMap = Record<string, EventSpec>;

/** What travels back for every call, over IPC or WebSocket. */
export type WireResult = { ok: true; result: unknown } | { ok: false; error: ContractError };

export type ChannelOf<G extends CallGroups> = {
  [NS in keyof G & string]: `${NS}.${keyof G[NS] & string}`;
}[keyof G & string];

export function channelName(group: string, method: string): string {
  return `${group}.${method}`;
}

/** Every call of the contract as `[channel, spec]`, in declaration order. */
export function listCalls(groups: CallGroups): Array<[string, CallSpec]> {
  const out: Array<[string, CallSpec]> = [];
  for (const [group, methods] of Object.entries(groups)) {
    for (const [method, spec] of Object.entries(methods)) out.push([channelName(group, method), spec]);
  }
  return out;
}
