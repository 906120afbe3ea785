/**
 * MongoDB wire protocol framing: splits a TCP stream into messages, decodes the two request
 * kinds drivers still send (OP_MSG, and OP_QUERY for the first handshake), and encodes replies.
 * https://github.com/mongodb/specifications/blob/master/source/message/OP_MSG.md
 */
import { BSON, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_BYTES = 16;
/** The largest message we accept, as advertised in hello's maxMessageSizeBytes. */
export const MAX_MESSAGE_BYTES = 48_000_000;

const FLAG_CHECKSUM_PRESENT = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;

export class WireProtocolError extends Error {
  override readonly name = 'WireProtocolError';
}

/** A command as the server needs it, whichever opcode carried it. */
export interface CommandRequest {
  requestId: number;
  opCode: typeof OP_MSG | typeof OP_QUERY;
  /** Database the command runs against (`$db` for OP_MSG, the namespace prefix for OP_QUERY). */
  db: string;
  /** The command document, with any OP_MSG document sequences merged in as arrays. */
  body: Document;
  /** OP_MSG moreToCome: the client expects no reply (unacknowledged writes). */
  moreToCome: boolean;
}

/** Accumulates socket chunks and yields whole messages. */
export class MessageReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const messages: Buffer[] = [];
    while (this.pendingBytes >= 4) {
      const head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      const length = head.readInt32LE(0);
      if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
        throw new WireProtocolError(`invalid message length ${length}`);
      }
      if (head.length < length) {
        this.pending = [head];
        break;
      }
      messages.push(head.subarray(0, length));
      const rest = head.subarray(length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return messages;
  }
}

export function decodeRequest(message: Buffer): CommandRequest {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) return decodeOpMsg(message, requestId);
  if (opCode === OP_QUERY) return decodeOpQuery(message, requestId);
  throw new WireProtocolError(`unsupported opcode ${opCode}`);
}

function decodeOpMsg(message: Buffer, requestId: number): CommandRequest {
  const flags = message.readUInt32LE(HEADER_BYTES);
  const end = message.length - (flags & FLAG_CHECKSUM_PRESENT ? 4 : 0);
  let offset = HEADER_BYTES + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = message[offset];
    offset += 1;
    if (kind === 0) {
      const size = message.readInt32LE(offset);
      body = BSON.deserialize(message.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      const nameEnd = message.indexOf(0, offset + 4);
      if (nameEnd < 0 || nameEnd >= sectionEnd) throw new WireProtocolError('malformed document sequence');
      const identifier = message.toString('utf8', offset + 4, nameEnd);
      const documents: Document[] = [];
      let cursor = nameEnd + 1;
      while (cursor < sectionEnd) {
        const docSize = message.readInt32LE(cursor);
        documents.push(BSON.deserialize(message.subarray(cursor, cursor + docSize)));
        cursor += docSize;
      }
      sequences.push([identifier, documents]);
      offset = sectionEnd;
    } else {
      throw new WireProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (body === undefined) throw new WireProtocolError('OP_MSG without a body section');
  for (const [identifier, documents] of sequences) body[identifier] = documents;
  const db = typeof body.$db === 'string' ? body.$db : 'admin';
  return { requestId, opCode: OP_MSG, db, body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

function decodeOpQuery(message: Buffer, requestId: number): CommandRequest {
  const nameStart = HEADER_BYTES + 4;
  const nameEnd = message.indexOf(0, nameStart);
  if (nameEnd < 0) throw new WireProtocolError('malformed OP_QUERY namespace');
  const namespace = message.toString('utf8', nameStart, nameEnd);
  const queryStart = nameEnd + 1 + 8; // numberToSkip, numberToReturn
  const size = message.readInt32LE(queryStart);
  let body = BSON.deserialize(message.subarray(queryStart, queryStart + size));
  // Drivers wrap commands with read preferences as {$query: {...}, $readPreference: ...}.
  if (body.$query !== null && typeof body.$query === 'object') body = body.$query as Document;
  const dot = namespace.indexOf('.');
  const db = dot < 0 ? namespace : namespace.slice(0, dot);
  return { requestId, opCode: OP_QUERY, db, body, moreToCome: false };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

/** OP_MSG reply with a single kind-0 section. */
export function encodeOpMsgReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(reply, { ignoreUndefined: true });
  const length = HEADER_BYTES + 4 + 1 + body.length;
  const flagsAndKind = Buffer.alloc(5); // flags 0, section kind 0
  return Buffer.concat([header(length, requestId, responseTo, OP_MSG), flagsAndKind, body], length);
}

/** OP_REPLY carrying one document: the answer to a command sent with OP_QUERY. */
export function encodeOpReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(reply, { ignoreUndefined: true });
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(8, 0); // responseFlags: AwaitCapable, as mongod sets it
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  const length = HEADER_BYTES + fields.length + body.length;
  return Buffer.concat([header(length, requestId, responseTo, OP_REPLY), fields, body], length);
}
