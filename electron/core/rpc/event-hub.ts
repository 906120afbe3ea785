import type { z } from 'zod';
import type { Events } from '../../../shared/contract';

type Payload<E extends keyof Events> = z.input<Events[E]['payload']>;
export type EventListener = (event: string, payload: unknown) => void;

/** Fans contract events out to every transport (Electron windows, WebSocket clients, tests). */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  emit<E extends keyof Events & string>(event: E, payload: Payload<E>): void {
    for (const listener of this.listeners) listener(event, payload);
  }

  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
