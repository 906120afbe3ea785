import { createServer, type Server, type Socket } from 'node:net';
import { AppError } from '../../../shared/contract/errors';
import { openForwardChannel } from './channels';
import type { SshPool } from './pool';
import { poolKey, type SshTarget } from './target';

export interface ForwardOptions {
  /** Where the server connects to, e.g. `127.0.0.1` and 27017 for a MongoDB on that host. */
  remoteHost: string;
  remotePort: number;
  /** Local port; 0 (default) picks a free one. The listener is always on 127.0.0.1. */
  localPort?: number;
  signal?: AbortSignal;
}

export interface PortForward {
  localHost: '127.0.0.1';
  localPort: number;
  /** Resolves when the forward has closed, for whatever reason. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * `ssh -L`: a loopback listener whose connections are carried through the target
 * host to remoteHost:remotePort. It holds the pooled connection open and closes
 * with it (a replaced connection means a new forward).
 */
export async function forwardLocalPort(pool: SshPool, target: SshTarget, options: ForwardOptions): Promise<PortForward> {
  const where = poolKey(target);
  const hold = await pool.hold(target, options.signal);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pause();
    openForwardChannel(hold.connection.client, options.remoteHost, options.remotePort, {
      address: socket.remoteAddress ?? '127.0.0.1',
      port: socket.remotePort ?? 0,
    }).then(
      (channel) => {
        channel.on('error', () => socket.destroy());
        channel.once('close', () => socket.destroy());
        socket.once('close', () => channel.close());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      },
      (error: unknown) => {
        pool.log.add('warn', 'forward', `cannot reach ${options.remoteHost}:${options.remotePort}: ${(error as Error).message}`, where);
        socket.destroy();
      },
    );
  });

  let localPort = options.localPort ?? 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      stopWatching();
      for (const socket of sockets) socket.destroy();
      server.close(() => {
        hold.release();
        pool.log.add('info', 'forward', `closed 127.0.0.1:${localPort} -> ${options.remoteHost}:${options.remotePort}`, where);
        resolveClosed();
        resolve();
      });
    });
    return closing;
  };
  const stopWatching = hold.connection.onClose(() => void close());

  localPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.localPort ?? 0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('no address'));
    });
  }).catch(async (error: unknown) => {
    stopWatching();
    hold.release();
    throw new AppError('UNAVAILABLE', `Cannot listen on 127.0.0.1:${options.localPort ?? 0}: ${(error as Error).message}`);
  });
  pool.log.add('info', 'forward', `127.0.0.1:${localPort} -> ${options.remoteHost}:${options.remotePort}`, where);
  return { localHost: '127.0.0.1', localPort, closed, close };
}
