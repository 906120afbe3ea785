import type { z } from 'zod';
import { AppError, contractErrorSchema } from './errors';
import { channelName, type CallSpec, type WireResult } from './define';
import { calls, events, type Calls, type Events } from './index';

/** How a client reaches the dispatcher: Electron IPC through the preload, or a WebSocket. */
export interface Transport {
  call(channel: string, input: unknown): Promise<WireResult>;
  /** Receives every event; returns an unsubscribe function. */
  listen(listener: (event: string, payload: unknown) => void): () => void;
}

type CallFn<S> = S extends CallSpec<infer I, infer O> ? (input: z.input<I>) => Promise<z.output<O>> : never;

export type ClientCalls = {
  [NS in keyof Calls]: { [M in keyof Calls[NS]]: CallFn<Calls[NS][M]> };
};

export type ClientEvents = {
  [E in keyof Events]: (listener: (payload: z.output<Events[E]['payload']>) => void) => () => void;
};

export type Client = ClientCalls & { events: ClientEvents };

function unwrap(wire: WireResult): unknown {
  if (wire.ok) return wire.result;
  const parsed = contractErrorSchema.safeParse(wire.error);
  throw parsed.success
    ? AppError.fromContract(parsed.data)
    : new AppError('INTERNAL', 'The main process answered with a malformed error');
}

/** Builds the typed client from the contract: one function per call, one subscriber per event. */
export function createClient(transport: Transport): Client {
  const client: Record<string, unknown> = {};
  for (const [group, methods] of Object.entries(calls)) {
    const groupClient: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const method of Object.keys(methods)) {
      const channel = channelName(group, method);
      groupClient[method] = async (input) => unwrap(await transport.call(channel, input));
    }
    client[group] = groupClient;
  }
  const eventClient: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
  for (const name of Object.keys(events)) {
    eventClient[name] = (listener) =>
      transport.listen((event, payload) => {
        if (event === name) listener(payload);
      });
  }
  client.events = eventClient;
  return client as Client;
}
