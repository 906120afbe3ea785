import type { WireResult } from './define';

/**
 * What the Electron preload exposes on `window.switchboard`: one function per
 * contract channel (generated from the contract, nothing generic) and an event
 * subscription. The renderer wraps it in the typed client.
 */
export interface PreloadBridge {
  calls: Record<string, (input: unknown) => Promise<WireResult>>;
  listen(listener: (event: string, payload: unknown) => void): () => void;
}

/** Messages of browser mode's WebSocket. */
export type WsRequest = { id: number; call: string; input: unknown };
export type WsResponse = ({ id: number } & WireResult) | { event: string; payload: unknown };
