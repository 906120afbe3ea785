/**
 * Wire framing, including the parts the official driver does not exercise today: OP_MSG
 * document sequences (kind 1), checksums, moreToCome, and OP_QUERY beyond the handshake.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { once } from 'node:events';
import { BSON, type Document } from 'bson';
import { afterEach, describe, expect, test } from 'vitest';
import { LabMongoServer } from './server';
import { MessageReader, OP_MSG, OP_QUERY, OP_REPLY, decodeRequest } from './wire';

function header(length: number, requestId: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(0, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

function opMsg(requestId: number, body: Document, sequences: Record<string, Document[]> = {}, flags = 0, checksum = false): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  for (const [identifier, documents] of Object.entries(sequences)) {
    const docs = documents.map((doc) => Buffer.from(BSON.serialize(doc)));
    const name = Buffer.from(`${identifier}\0`, 'utf8');
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + name.length + docs.reduce((sum, doc) => sum + doc.length, 0));
    parts.push(Buffer.from([1]), size, name, ...docs);
  }
  if (checksum) parts.push(Buffer.alloc(4)); // crc32c value: servers may skip verifying it
  const flagBytes = Buffer.alloc(4);
  flagBytes.writeUInt32LE(flags | (checksum ? 1 : 0));
  const payload = Buffer.concat([flagBytes, ...parts]);
  return Buffer.concat([header(16 + payload.length, requestId, OP_MSG), payload]);
}

function opQuery(requestId: number, namespace: string, query: Document): Buffer {
  const name = Buffer.from(`${namespace}\0`, 'utf8');
  const fields = Buffer.alloc(8); // numberToSkip, numberToReturn
  fields.writeInt32LE(-1, 4);
  const payload = Buffer.concat([Buffer.alloc(4), name, fields, Buffer.from(BSON.serialize(query))]);
  return Buffer.concat([header(16 + payload.length, requestId, OP_QUERY), payload]);
}

interface Reply {
  opCode: number;
  responseTo: number;
  doc: Document;
}

/** Collects replies from a socket in order, so none is lost between awaits. */
class Replies {
  private readonly queue: Buffer[] = [];
  private readonly waiters: Array<(message: Buffer) => void> = [];

  constructor(socket: Socket) {
    const reader = new MessageReader();
    socket.on('data', (chunk: Buffer) => {
      for (const message of reader.push(chunk)) {
        const waiter = this.waiters.shift();
        if (waiter) waiter(message);
        else this.queue.push(message);
      }
    });
  }

  async next(): Promise<Reply> {
    const message = this.queue.shift() ?? (await new Promise<Buffer>((resolve) => this.waiters.push(resolve)));
    const opCode = message.readInt32LE(12);
    const docStart = opCode === OP_REPLY ? 36 : 21; // after OP_REPLY's fields / OP_MSG's flags and section kind
    const size = message.readInt32LE(docStart);
    return { opCode, responseTo: message.readInt32LE(8), doc: BSON.deserialize(message.subarray(docStart, docStart + size)) };
  }
}

describe('MessageReader', () => {
  test('reassembles a message split across chunks and splits two in one chunk', () => {
    const first = opMsg(1, { ping: 1, $db: 'admin' });
    const second = opMsg(2, { ping: 1, $db: 'admin' });
    const reader = new MessageReader();
    expect(reader.push(first.subarray(0, 3))).toEqual([]);
    expect(reader.push(first.subarray(3, 20))).toEqual([]);
    const whole = Buffer.concat([first.subarray(20), second]);
    const messages = reader.push(whole);
    expect(messages.map((message) => message.readInt32LE(4))).toEqual([1, 2]);
    expect(messages[0]!.equals(first)).toBe(true);
  });

  test('rejects a frame with an impossible length', () => {
    const bad = Buffer.alloc(8);
    bad.writeInt32LE(3, 0);
    expect(() => new MessageReader().push(bad)).toThrow(/invalid message length/);
  });
});

describe('decodeRequest', () => {
  test('merges OP_MSG document sequences into the body and honours the flags', () => {
    const message = opMsg(7, { insert: 'c', $db: 'lab' }, { documents: [{ a: 1 }, { a: 2 }] }, 1 << 1, true);
    const request = decodeRequest(message);
    expect(request).toMatchObject({ requestId: 7, opCode: OP_MSG, db: 'lab', moreToCome: true });
    expect(request.body).toEqual({ insert: 'c', $db: 'lab', documents: [{ a: 1 }, { a: 2 }] });
  });

  test('unwraps an OP_QUERY command sent with $query and takes the database from the namespace', () => {
    const request = decodeRequest(opQuery(9, 'admin.$cmd', { $query: { isMaster: 1 }, $readPreference: { mode: 'primary' } }));
    expect(request).toMatchObject({ requestId: 9, opCode: OP_QUERY, db: 'admin', body: { isMaster: 1 }, moreToCome: false });
  });
});

describe('lab server on raw sockets', () => {
  let server: LabMongoServer | undefined;
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.destroy();
    await server?.stop();
  });

  async function open(): Promise<{ socket: Socket; replies: Replies }> {
    server = new LabMongoServer();
    const { port } = await server.start(0);
    socket = connectTcp(port, '127.0.0.1');
    await once(socket, 'connect');
    return { socket, replies: new Replies(socket) };
  }

  test('inserts the documents of a kind-1 sequence and answers on OP_MSG', async () => {
    const { socket, replies } = await open();
    socket.write(opMsg(11, { insert: 'seq', ordered: true, $db: 'lab' }, { documents: [{ _id: 1 }, { _id: 2 }, { _id: 1 }] }));
    const reply = await replies.next();
    expect(reply).toMatchObject({ opCode: OP_MSG, responseTo: 11 });
    expect(reply.doc).toMatchObject({ ok: 1, n: 2, writeErrors: [{ index: 2, code: 11000 }] });
    expect(server!.db('lab').collection('seq').find().map((doc) => doc._id)).toEqual([1, 2]);
  });

  test('sends no reply for moreToCome, then answers the next request', async () => {
    const { socket, replies } = await open();
    socket.write(opMsg(12, { insert: 'quiet', $db: 'lab', documents: [{ q: 1 }] }, {}, 1 << 1));
    socket.write(opMsg(13, { count: 'quiet', $db: 'lab' }));
    const reply = await replies.next();
    expect(reply.responseTo).toBe(13);
    expect(reply.doc).toMatchObject({ ok: 1, n: 1 });
  });

  test('answers the OP_QUERY handshake with OP_REPLY and refuses other OP_QUERY commands', async () => {
    const { socket, replies } = await open();
    socket.write(opQuery(21, 'admin.$cmd', { isMaster: 1, helloOk: true }));
    const handshake = await replies.next();
    expect(handshake).toMatchObject({ opCode: OP_REPLY, responseTo: 21 });
    expect(handshake.doc).toMatchObject({ ok: 1, ismaster: true, helloOk: true, maxWireVersion: 21 });

    socket.write(opQuery(22, 'lab.$cmd', { find: 'anything' }));
    const refused = await replies.next();
    expect(refused.doc).toMatchObject({ ok: 0, code: 352, codeName: 'UnsupportedOpQueryCommand' });
  });

  test('closes the connection on a malformed frame', async () => {
    const { socket } = await open();
    const bad = Buffer.alloc(16);
    bad.writeInt32LE(5, 0);
    socket.write(bad);
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
  });
});
