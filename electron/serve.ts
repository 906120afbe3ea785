import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { isIP } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WsRequest, WsResponse } from '../shared/contract/bridge';
import type { Core } from './core/app-core';
import type { Logger } from './core/log/logger';

/**
 * Browser mode: the same dispatcher as the Electron window, over a WebSocket bound to
 * loopback. A random per-run token (carried in the URL fragment, so it never reaches
 * a server log or a Referer) is required on connect, and the Origin and Host headers
 * must name this server, which defeats cross-site pages and DNS rebinding.
 */
export interface ServeOptions {
  core: Core;
  log: Logger;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Allow a non-loopback bind address. The caller must warn the admin. */
  allowRemote?: boolean;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

export const RPC_PATH = '/rpc';
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export async function startBrowserServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.allowRemote) {
    throw new Error(`Refusing to listen on ${host}: browser mode binds loopback only (use --allow-remote to force)`);
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${hostForUrl(host)}:${port}`]);

  const server = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request\n');
      return;
    }
    serveStatic(rendererDir, req, res).catch((error: unknown) => {
      options.log.error('serve', 'Static file failed', { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
  });

  server.on('upgrade', (req, socket, head) => {
    const refusal = checkUpgrade(req, token, allowedHosts(), port);
    if (refusal) {
      options.log.warn('serve', `Refused a WebSocket connection: ${refusal.reason}`, { remote: req.socket.remoteAddress });
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const sockets = new Set<WebSocket>();
  const stopEvents = options.core.events.listen((event, payload) => {
    const message = JSON.stringify({ event, payload } satisfies WsResponse);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => options.log.warn('serve', 'WebSocket error', { error }));
    ws.on('message', (data) => {
      void answer(options.core, data.toString()).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${hostForUrl(host)}:${port}/#token=${token}`;

  return {
    url,
    port,
    host,
    token,
    close: async () => {
      stopEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function checkUpgrade(
  req: IncomingMessage,
  token: string,
  allowedHosts: Set<string>,
  port: number,
): { status: number; reason: string } | undefined {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  if (url.pathname !== RPC_PATH) return { status: 404, reason: 'Not Found' };
  if (!allowedHosts.has(req.headers.host ?? '')) return { status: 421, reason: 'Misdirected Request' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) {
    return { status: 403, reason: 'Forbidden Origin' };
  }
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { status: 401, reason: 'Unauthorized' };
  }
  return undefined;
}

async function answer(core: Core, text: string): Promise<WsResponse> {
  let request: Partial<WsRequest>;
  try {
    request = JSON.parse(text) as Partial<WsRequest>;
  } catch {
    return { id: -1, ok: false, error: { code: 'INVALID_INPUT', message: 'Message is not JSON' } };
  }
  const id = typeof request.id === 'number' ? request.id : -1;
  return { id, ...(await core.dispatcher.dispatch(request.call, request.input)) };
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^([/\\])+/, '');
  const file = join(root, relative);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(404).end();
    return;
  }
  const found = await stat(file).then((s) => s.isFile(), () => false);
  // Unknown paths get the app itself (client-side navigation), never a directory listing.
  const target = found ? file : join(root, 'index.html');
  const body = await readFile(target).catch(() => undefined);
  if (!body) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('The renderer is not built; run `npm run build`.\n');
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(target)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
