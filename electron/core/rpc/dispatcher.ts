import type { z } from 'zod';
import {
  AppError,
  listCalls,
  type CallGroups,
  type CallSpec,
  type ContractError,
  type WireResult,
} from '../../../shared/contract';
import type { Logger } from '../log/logger';

type Handler<S> = S extends CallSpec<infer I, infer O>
  ? (input: z.output<I>) => Promise<z.input<O>> | z.input<O>
  : never;

/** One handler per call of the contract; the compiler insists every call has one. */
export type Handlers<G extends CallGroups> = {
  [NS in keyof G]: { [M in keyof G[NS]]: Handler<G[NS][M]> };
};

/**
 * The only way into the services. Validates every input against the contract before
 * a handler sees it, validates the result on the way out, and turns every failure
 * into a typed error; stacks stay in the main process log.
 */
export class Dispatcher {
  private readonly routes = new Map<string, { spec: CallSpec; handler: (input: unknown) => unknown }>();

  constructor(
    groups: CallGroups,
    handlers: Record<string, Record<string, (input: never) => unknown>>,
    private readonly log: Logger,
  ) {
    for (const [channel, spec] of listCalls(groups)) {
      const [group = '', method = ''] = channel.split('.');
      const handler = handlers[group]?.[method];
      if (!handler) throw new Error(`No handler registered for ${channel}`);
      this.routes.set(channel, { spec, handler: handler as (input: unknown) => unknown });
    }
  }

  has(channel: string): boolean {
    return this.routes.has(channel);
  }

  async dispatch(channel: unknown, rawInput: unknown): Promise<WireResult> {
    const route = typeof channel === 'string' ? this.routes.get(channel) : undefined;
    if (!route) {
      return fail({ code: 'NOT_FOUND', message: `Unknown call: ${String(channel).slice(0, 80)}` });
    }
    const parsed = route.spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return fail({
        code: 'INVALID_INPUT',
        message: `Invalid input for ${channel}`,
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    try {
      const result = await route.handler(parsed.data);
      const checked = route.spec.output.safeParse(result);
      if (!checked.success) {
        this.log.error('dispatcher', `${channel} returned a result that does not match the contract`, {
          issues: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        return fail({ code: 'INTERNAL', message: `${channel} produced an invalid result` });
      }
      return { ok: true, result: checked.data };
    } catch (error) {
      if (error instanceof AppError) return fail(error.toContract());
      this.log.error('dispatcher', `${channel} failed`, { error });
      return fail({ code: 'INTERNAL', message: `${channel} failed unexpectedly; see the main process log` });
    }
  }
}

function fail(error: ContractError): WireResult {
  return { ok: false, error };
}
