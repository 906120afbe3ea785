/**
 * The lab MongoDB: a loopback TCP server speaking the MongoDB wire protocol over an in-memory
 * storage engine, so the official `mongodb` driver connects to it unchanged. A simulation for
 * rehearsals and tests, never a database to keep data in.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AppError } from '../../../shared/contract/errors';
import { runCommand } from './commands';
import { LabStorage, type Clock, type LabDatabase } from './storage';
import { MessageReader, OP_QUERY, decodeRequest, encodeOpMsgReply, encodeOpReply } from './wire';

export interface LabMongoServerOptions {
  /** The lab clock; TTL expiry and `$currentDate` follow it. Defaults to the wall clock. */
  now?: Clock;
}

export interface LabMongoAddress {
  port: number;
  /** A connection string for the official driver, e.g. `mongodb://127.0.0.1:PORT/?directConnection=true`. */
  url: string;
}

export class LabMongoServer {
  private readonly storage: LabStorage;
  private server: Server | undefined;
  private address: LabMongoAddress | undefined;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private nextResponseId = 1;

  constructor(options: LabMongoServerOptions = {}) {
    this.storage = new LabStorage(options.now);
  }

  /** Listens on 127.0.0.1 (port 0 picks a free port) and resolves once it accepts connections. */
  async start(port = 0): Promise<LabMongoAddress> {
    if (this.address !== undefined) return this.address;
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(new AppError('UNAVAILABLE', `lab MongoDB cannot listen on 127.0.0.1:${port}`, { cause: error.code }));
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.address = { port: bound, url: `mongodb://127.0.0.1:${bound}/?directConnection=true` };
    return this.address;
  }

  /** The bound port and URL; undefined until `start` resolves. */
  get listening(): LabMongoAddress | undefined {
    return this.address;
  }

  /** Closes the listener and every client connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.address = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Direct access for seeding and inspection, bypassing the wire. */
  db(name: string): LabDatabase {
    return this.storage.db(name);
  }

  /** Applies TTL expiry now (the lab clock calls this after advancing); returns documents removed. */
  sweepExpired(): number {
    return this.storage.sweepExpired();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connectionId = this.nextConnectionId++;
    const reader = new MessageReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) this.handle(socket, connectionId, message);
      } catch {
        // A malformed frame leaves the stream unsynchronised; mongod closes such connections too.
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private handle(socket: Socket, connectionId: number, message: Buffer): void {
    const request = decodeRequest(message);
    const viaOpQuery = request.opCode === OP_QUERY;
    const reply = runCommand(this.storage, { db: request.db, body: request.body, connectionId, viaOpQuery });
    if (request.moreToCome) return;
    const responseId = this.nextResponseId;
    this.nextResponseId = (this.nextResponseId % 0x7fffffff) + 1; // requestIDs are int32
    socket.write(
      viaOpQuery
        ? encodeOpReply(reply, responseId, request.requestId)
        : encodeOpMsgReply(reply, responseId, request.requestId),
    );
  }
}
