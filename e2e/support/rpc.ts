import WebSocket from 'ws';
import type { ServeProcess } from './serve';

/** One call of the contract over browser mode's WebSocket, as the page makes it (for setup and checks). */
export async function rpc<T>(server: Pick<ServeProcess, 'port' | 'token'>, call: string, input: unknown): Promise<T> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = await new Promise<{ ok: boolean; result?: unknown; error?: unknown }>((resolve) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { id?: number; ok: boolean };
        if (message.id === 1) resolve(message);
      });
      ws.send(JSON.stringify({ id: 1, call, input }));
    });
    if (!reply.ok) throw new Error(`${call} failed: ${JSON.stringify(reply.error)}`);
    return reply.result as T;
  } finally {
    ws.close();
  }
}
