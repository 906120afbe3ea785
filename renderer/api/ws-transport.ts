import type { Transport } from '../../shared/contract/client';
import type { WireResult } from '../../shared/contract';
import type { WsRequest, WsResponse } from '../../shared/contract/bridge';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

const TOKEN_KEY = 'switchboard.token';

/**
 * The browser-mode token arrives in the URL fragment once; keep it for this tab
 * (so a reload still works) and take it out of the address bar.
 */
export function takeToken(location: Location, storage: Storage, history: History): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    storage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return match[1];
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

/**
 * A WebSocket transport that queues calls until the socket is open and reconnects
 * with backoff when the server restarts (calls in flight fail with UNAVAILABLE).
 */
export function createWsTransport(options: {
  url: string;
  onState: (state: ConnectionState) => void;
}): Transport {
  let socket: WebSocket | undefined;
  let nextId = 1;
  let attempt = 0;
  let opened = false;
  const pending = new Map<number, (result: WireResult) => void>();
  const queue: string[] = [];
  const listeners = new Set<(event: string, payload: unknown) => void>();

  const connect = () => {
    options.onState('connecting');
    opened = false;
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      options.onState('open');
      for (const message of queue.splice(0)) ws.send(message);
    };
    ws.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as WsResponse;
      if ('event' in data) {
        for (const listener of listeners) listener(data.event, data.payload);
        return;
      }
      const resolve = pending.get(data.id);
      pending.delete(data.id);
      resolve?.(data.ok ? { ok: true, result: data.result } : { ok: false, error: data.error });
    };
    ws.onclose = () => {
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'The connection to Switchboard was lost' } });
      }
      // A handshake refused before opening is (almost always) a missing or stale token.
      if (!opened && attempt >= 2) {
        options.onState('unauthorized');
      } else {
        options.onState('closed');
      }
      attempt += 1;
      setTimeout(connect, Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)));
    };
  };
  connect();

  return {
    call(channel, input) {
      const id = nextId++;
      const message = JSON.stringify({ id, call: channel, input } satisfies WsRequest);
      return new Promise<WireResult>((resolve) => {
        pending.set(id, resolve);
        if (socket?.readyState === WebSocket.OPEN) socket.send(message);
        else queue.push(message);
      });
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
