import type { Vfs } from './vfs';

/**
 * What listens on a host: HTTP endpoints on loopback ports (reached by `curl` on the
 * host) and Unix sockets (reached by `socat`, e.g. HAProxy's admin socket). System
 * simulators register handlers here; a port with no listener refuses connections.
 */

export interface LabHttpRequest {
  method: string;
  /** Path without the query, e.g. `/api/v1/public/system/health`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  port: number;
}

export interface LabHttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type LabHttpHandler = (request: LabHttpRequest, signal: AbortSignal) => LabHttpResponse | Promise<LabHttpResponse>;

interface HttpListener {
  handler: LabHttpHandler;
  listening: () => boolean;
}

export class HttpEndpoints {
  readonly #listeners = new Map<number, HttpListener>();

  /**
   * Serves `handler` on `port`. `listening` ties the port to a process (e.g. only while
   * the unit's main process runs); without it the port is always open.
   * Returns a function that closes the port.
   */
  register(port: number, handler: LabHttpHandler, options: { listening?: () => boolean } = {}): () => void {
    const listener: HttpListener = { handler, listening: options.listening ?? (() => true) };
    this.#listeners.set(port, listener);
    return () => {
      if (this.#listeners.get(port) === listener) this.#listeners.delete(port);
    };
  }

  isListening(port: number): boolean {
    const listener = this.#listeners.get(port);
    return listener !== undefined && listener.listening();
  }

  /** The response, or undefined when nothing listens (connection refused). */
  async request(request: LabHttpRequest, signal: AbortSignal): Promise<LabHttpResponse | undefined> {
    const listener = this.#listeners.get(request.port);
    if (!listener || !listener.listening()) return undefined;
    return listener.handler(request, signal);
  }
}

/** Receives what a client wrote to the socket, returns what the server answers. */
export type UnixSocketHandler = (input: string, signal: AbortSignal) => string | Promise<string>;

export class UnixSockets {
  readonly #handlers = new Map<string, UnixSocketHandler>();
  readonly #vfs: Vfs;

  constructor(vfs: Vfs) {
    this.#vfs = vfs;
  }

  /** Creates the socket file (owner and mode as the daemon would) and serves it. */
  register(path: string, handler: UnixSocketHandler, options: { mode?: number; uid?: number; gid?: number } = {}): () => void {
    this.#vfs.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { parents: true });
    this.#vfs.mksock(path, options);
    this.#handlers.set(path, handler);
    return () => {
      if (this.#handlers.get(path) !== handler) return;
      this.#handlers.delete(path);
      try {
        this.#vfs.unlink(path);
      } catch {
        // Already removed.
      }
    };
  }

  handler(path: string): UnixSocketHandler | undefined {
    return this.#handlers.get(path);
  }
}

/**
 * Name resolution for `curl` on a host: loopback names and the host's own name reach
 * its own endpoints; other names go to a resolver the lab installs (a cluster's hosts
 * reaching each other's APIs). Without one, other names do not resolve.
 */
export class HostNetwork {
  readonly #local: HttpEndpoints;
  readonly #ownNames: () => string[];
  #resolver: ((name: string) => HttpEndpoints | undefined) | undefined;

  constructor(local: HttpEndpoints, ownNames: () => string[]) {
    this.#local = local;
    this.#ownNames = ownNames;
  }

  setResolver(resolver: ((name: string) => HttpEndpoints | undefined) | undefined): void {
    this.#resolver = resolver;
  }

  resolve(name: string): HttpEndpoints | undefined {
    if (['localhost', '127.0.0.1', '::1', 'ip6-localhost', ...this.#ownNames()].includes(name)) return this.#local;
    return this.#resolver?.(name);
  }
}
