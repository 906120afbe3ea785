/**
 * Command handlers of the lab MongoDB. Each takes the decoded command document and answers
 * with the reply mongod 7.0 would send (standalone, no auth), so the official driver needs no
 * special casing. Storage lives in storage.ts; framing in wire.ts.
 */
import { Long, type Document } from 'bson';
import { Query } from 'mingo';
import { CommandError, asCommandError } from './errors';
import type { CursorBatch } from './cursors';
import type { LabCollection, LabDatabase, LabStorage } from './storage';

/** MongoDB 7.0, the version the Rocket.Chat incident runs (FIELD-NOTES). */
export const SERVER_VERSION = '7.0.14';
/** Wire version of MongoDB 7.0; driver v7 needs at least 9 (MongoDB 4.4). */
export const MAX_WIRE_VERSION = 21;
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;
const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;

export interface CommandInvocation {
  db: string;
  body: Document;
  connectionId: number;
  /** Sent as legacy OP_QUERY: modern mongod accepts only the handshake that way. */
  viaOpQuery: boolean;
}

interface CommandContext {
  storage: LabStorage;
  dbName: string;
  /** The command's name as sent (aliases such as `ismaster` included). */
  name: string;
  body: Document;
  connectionId: number;
}

type Handler = (context: CommandContext) => Document;

const HANDSHAKE_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

/** Runs one command; never throws: failures become mongod-shaped error replies. */
export function runCommand(storage: LabStorage, invocation: CommandInvocation): Document {
  const name = Object.keys(invocation.body)[0];
  if (name === undefined) return new CommandError('FailedToParse', 'Empty command document').toReply();
  if (invocation.viaOpQuery && !HANDSHAKE_COMMANDS.has(name)) {
    return new CommandError(
      'UnsupportedOpQueryCommand',
      `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal`,
    ).toReply();
  }
  const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
  if (handler === undefined) return new CommandError('CommandNotFound', `no such command: '${name}'`).toReply();
  try {
    if (invocation.body.txnNumber !== undefined) {
      throw new CommandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    storage.sweepExpired();
    return handler({ storage, dbName: invocation.db, name, body: invocation.body, connectionId: invocation.connectionId });
  } catch (error) {
    return asCommandError(error).toReply();
  }
}

// --- field readers: mongod rejects wrongly typed fields rather than guessing -----------------

function wrongType(context: CommandContext, field: string, expected: string): CommandError {
  const actual = context.body[field];
  return new CommandError(
    'TypeMismatch',
    `BSON field '${context.name}.${field}' is the wrong type '${Array.isArray(actual) ? 'array' : typeof actual}', expected type '${expected}'`,
  );
}

function collectionName(context: CommandContext): string {
  const value = context.body[context.name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof value}`);
  }
  return value;
}

function optionalNumber(context: CommandContext, field: string): number | undefined {
  const value = context.body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (Long.isLong(value)) return value.toNumber();
  throw wrongType(context, field, 'number');
}

function optionalDocument(context: CommandContext, field: string): Document | undefined {
  const value = context.body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Document;
  throw wrongType(context, field, 'object');
}

function documentArray(context: CommandContext, field: string): Document[] {
  const value = context.body[field];
  if (!Array.isArray(value)) throw wrongType(context, field, 'array');
  return value as Document[];
}

function cursorBatchSize(context: CommandContext): number | undefined {
  const cursor = optionalDocument(context, 'cursor');
  const value: unknown = cursor?.batchSize;
  if (value === undefined) return undefined;
  return Long.isLong(value) ? value.toNumber() : Number(value);
}

function database(context: CommandContext): LabDatabase {
  return context.storage.db(context.dbName);
}

function cursorReply(batch: CursorBatch, field: 'firstBatch' | 'nextBatch'): Document {
  return { cursor: { [field]: batch.documents, id: batch.id, ns: batch.namespace }, ok: 1 };
}

// --- handshake and server information ---------------------------------------------------------

function hello(context: CommandContext): Document {
  const legacy = context.name !== 'hello';
  // No topologyVersion: without it the driver polls hello instead of holding an awaitable
  // (exhaust) hello open, which this server does not implement.
  return {
    ...(context.body.helloOk === true ? { helloOk: true } : {}),
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: context.storage.now(),
    logicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

function buildInfo(): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'switchboard-lab',
    modules: [],
    allocator: 'system',
    javascriptEngine: 'none',
    sysInfo: 'deprecated',
    versionArray: [...SERVER_VERSION.split('.').map(Number), 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['lab-memory'],
    // Not in mongod's reply: lets the console label this server as the rehearsal lab.
    switchboardLab: true,
    ok: 1,
  };
}

function getParameter(context: CommandContext): Document {
  if (context.body.featureCompatibilityVersion !== undefined) {
    return { featureCompatibilityVersion: { version: SERVER_VERSION.split('.').slice(0, 2).join('.') }, ok: 1 };
  }
  throw new CommandError('InvalidOptions', 'no option found to get');
}

// --- reads ------------------------------------------------------------------------------------

function find(context: CommandContext): Document {
  const db = database(context);
  const collection = db.readView(collectionName(context));
  const limit = optionalNumber(context, 'limit') ?? 0;
  const documents = collection.find(optionalDocument(context, 'filter') ?? {}, {
    projection: optionalDocument(context, 'projection'),
    sort: optionalDocument(context, 'sort'),
    skip: optionalNumber(context, 'skip'),
    limit: Math.abs(limit),
    collation: optionalDocument(context, 'collation'),
  });
  const singleBatch = context.body.singleBatch === true || limit < 0;
  const batchSize = singleBatch && limit !== 0 ? Math.abs(limit) : optionalNumber(context, 'batchSize');
  return cursorReply(context.storage.cursors.open(collection.namespace, documents, batchSize, singleBatch), 'firstBatch');
}

function getMore(context: CommandContext): Document {
  const batch = context.storage.cursors.getMore(context.body.getMore, optionalNumber(context, 'batchSize'));
  return cursorReply(batch, 'nextBatch');
}

function killCursors(context: CommandContext): Document {
  const ids = context.body.cursors;
  if (!Array.isArray(ids)) throw wrongType(context, 'cursors', 'array');
  const { killed, notFound } = context.storage.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

function aggregate(context: CommandContext): Document {
  if (typeof context.body.aggregate !== 'string') {
    throw new CommandError('InvalidNamespace', 'database-level aggregation ({aggregate: 1}) is not supported by the lab MongoDB');
  }
  if (context.body.explain === true) throw new CommandError('IllegalOperation', 'explain is not supported by the lab MongoDB');
  const collection = database(context).readView(collectionName(context));
  const pipeline = documentArray(context, 'pipeline');
  if (optionalDocument(context, 'cursor') === undefined) {
    throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const documents = collection.aggregate(pipeline, { collation: optionalDocument(context, 'collation') });
  return cursorReply(context.storage.cursors.open(collection.namespace, documents, cursorBatchSize(context)), 'firstBatch');
}

function count(context: CommandContext): Document {
  const collection = database(context).readView(collectionName(context));
  const n = collection.count(optionalDocument(context, 'query') ?? {}, {
    skip: optionalNumber(context, 'skip'),
    limit: optionalNumber(context, 'limit'),
    collation: optionalDocument(context, 'collation'),
  });
  return { n, ok: 1 };
}

function distinct(context: CommandContext): Document {
  const key = context.body.key;
  if (typeof key !== 'string') throw wrongType(context, 'key', 'string');
  const collection = database(context).readView(collectionName(context));
  const values = collection.distinct(key, optionalDocument(context, 'query') ?? {}, optionalDocument(context, 'collation'));
  return { values, ok: 1 };
}

// --- writes -----------------------------------------------------------------------------------

/** Runs each statement of a write command, collecting writeErrors as mongod does. */
function eachStatement<T>(statements: T[], ordered: boolean, run: (statement: T, index: number) => void): Document[] {
  const writeErrors: Document[] = [];
  for (const [index, statement] of statements.entries()) {
    try {
      run(statement, index);
    } catch (error) {
      writeErrors.push(asCommandError(error).toWriteError(index));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  return writeErrors.length > 0 ? { ...reply, writeErrors, ok: 1 } : { ...reply, ok: 1 };
}

function insert(context: CommandContext): Document {
  const collection = database(context).collection(collectionName(context));
  let n = 0;
  const writeErrors = eachStatement(documentArray(context, 'documents'), context.body.ordered !== false, (document) => {
    collection.insertOne(document);
    n += 1;
  });
  return withWriteErrors({ n }, writeErrors);
}

function update(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = eachStatement(documentArray(context, 'updates'), context.body.ordered !== false, (statement, index) => {
    const { q, u } = statement;
    if (q === null || typeof q !== 'object') throw new CommandError('TypeMismatch', "BSON field 'update.updates.q' is missing or not an object");
    if (u === null || typeof u !== 'object') throw new CommandError('TypeMismatch', "BSON field 'update.updates.u' is missing or not an object");
    const upsert = statement.upsert === true;
    const collection = upsert ? db.collection(name) : db.existing(name);
    if (collection === undefined) return;
    const outcome = collection.update({
      filter: q as Document,
      update: u as Document | Document[],
      upsert,
      multi: statement.multi === true,
      arrayFilters: statement.arrayFilters as Document[] | undefined,
      collation: statement.collation as Document | undefined,
    });
    if (outcome.upsertedId !== undefined) {
      upserted.push({ index, _id: outcome.upsertedId });
      n += 1;
    } else {
      n += outcome.matched;
      nModified += outcome.modified;
    }
  });
  return withWriteErrors({ n, nModified, ...(upserted.length > 0 ? { upserted } : {}) }, writeErrors);
}

function deleteCommand(context: CommandContext): Document {
  const collection = database(context).existing(collectionName(context));
  let n = 0;
  const writeErrors = eachStatement(documentArray(context, 'deletes'), context.body.ordered !== false, (statement) => {
    const { q, limit } = statement;
    if (q === null || typeof q !== 'object') throw new CommandError('TypeMismatch', "BSON field 'delete.deletes.q' is missing or not an object");
    if (collection === undefined) return;
    n += collection.delete(q as Document, { limit: Number(limit ?? 0), collation: statement.collation as Document | undefined });
  });
  return withWriteErrors({ n }, writeErrors);
}

function findAndModify(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  const upsert = context.body.upsert === true;
  const collection: LabCollection = upsert ? db.collection(name) : db.readView(name);
  const updateSpec = context.body.update;
  if (updateSpec !== undefined && (updateSpec === null || typeof updateSpec !== 'object')) {
    throw wrongType(context, 'update', 'object');
  }
  const outcome = collection.findAndModify({
    filter: optionalDocument(context, 'query') ?? {},
    sort: optionalDocument(context, 'sort'),
    remove: context.body.remove === true,
    update: updateSpec as Document | Document[] | undefined,
    returnNew: context.body.new === true,
    upsert,
    projection: optionalDocument(context, 'fields'),
    arrayFilters: context.body.arrayFilters as Document[] | undefined,
    collation: optionalDocument(context, 'collation'),
  });
  return { lastErrorObject: outcome.lastErrorObject, value: outcome.value, ok: 1 };
}

// --- catalog ----------------------------------------------------------------------------------

function collectionInfo(collection: LabCollection, nameOnly: boolean): Document {
  if (nameOnly) return { name: collection.name, type: 'collection' };
  return {
    name: collection.name,
    type: 'collection',
    options: {},
    info: { readOnly: false, uuid: collection.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

function listCollections(context: CommandContext): Document {
  const db = database(context);
  const nameOnly = context.body.nameOnly === true;
  const filter = optionalDocument(context, 'filter') ?? {};
  const query = new Query(filter, {});
  const entries = db.collections.map((collection) => collectionInfo(collection, nameOnly)).filter((entry) => query.test(entry));
  const batch = context.storage.cursors.open(`${db.name}.$cmd.listCollections`, entries, cursorBatchSize(context));
  return cursorReply(batch, 'firstBatch');
}

function listDatabases(context: CommandContext): Document {
  if (context.dbName !== 'admin') {
    throw new CommandError('Unauthorized', 'listDatabases may only be run against the admin database.');
  }
  const filter = new Query(optionalDocument(context, 'filter') ?? {}, {});
  const databases = context.storage.databases
    .map((db) => (context.body.nameOnly === true ? { name: db.name } : { name: db.name, sizeOnDisk: 0, empty: false }))
    .filter((entry) => filter.test(entry));
  return context.body.nameOnly === true ? { databases, ok: 1 } : { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
}

function listIndexes(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  const collection = db.existing(name);
  if (collection === undefined) throw new CommandError('NamespaceNotFound', `ns does not exist: ${db.name}.${name}`);
  const batch = context.storage.cursors.open(`${db.name}.$cmd.listIndexes.${name}`, [...collection.indexes], cursorBatchSize(context));
  return cursorReply(batch, 'firstBatch');
}

function createIndexes(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  const specs = documentArray(context, 'indexes');
  const createdCollectionAutomatically = db.existing(name) === undefined;
  const collection = db.collection(name);
  const numIndexesBefore = collection.indexes.length;
  for (const spec of specs) {
    if (spec.key === null || typeof spec.key !== 'object' || Object.keys(spec.key as Document).length === 0) {
      throw new CommandError('FailedToParse', "Index keys must be specified via the 'key' field");
    }
    collection.createIndex({
      key: spec.key as Document,
      ...(typeof spec.name === 'string' ? { name: spec.name } : {}),
      ...(spec.unique === true ? { unique: true } : {}),
      ...(spec.sparse === true ? { sparse: true } : {}),
      ...(typeof spec.expireAfterSeconds === 'number' ? { expireAfterSeconds: spec.expireAfterSeconds } : {}),
      ...(spec.partialFilterExpression !== undefined ? { partialFilterExpression: spec.partialFilterExpression as Document } : {}),
    });
  }
  const numIndexesAfter = collection.indexes.length;
  return {
    numIndexesBefore,
    numIndexesAfter,
    ...(numIndexesAfter === numIndexesBefore ? { note: 'all indexes already exist' } : {}),
    createdCollectionAutomatically,
    ok: 1,
  };
}

function dropIndexes(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  const collection = db.existing(name);
  if (collection === undefined) throw new CommandError('NamespaceNotFound', `ns not found ${db.name}.${name}`);
  const nIndexesWas = collection.indexes.length;
  const target: unknown = context.body.index;
  const names: string[] = [];
  if (typeof target === 'string') names.push(target);
  else if (Array.isArray(target)) names.push(...target.map(String));
  else if (target !== null && typeof target === 'object') {
    const keyPattern = JSON.stringify(target);
    const match = collection.indexes.find((index) => JSON.stringify(index.key) === keyPattern);
    if (match === undefined) throw new CommandError('IndexNotFound', `can't find index with key: ${keyPattern}`);
    names.push(match.name);
  } else {
    throw wrongType(context, 'index', 'string or object');
  }
  for (const indexName of names) collection.dropIndex(indexName);
  return { nIndexesWas, ok: 1 };
}

function create(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  if (db.existing(name) !== undefined) throw new CommandError('NamespaceExists', `Collection ${db.name}.${name} already exists.`);
  db.collection(name);
  return { ok: 1 };
}

function drop(context: CommandContext): Document {
  const db = database(context);
  const name = collectionName(context);
  const collection = db.existing(name);
  // MongoDB 7.0 answers ok for a collection that does not exist.
  if (collection === undefined) return { ok: 1 };
  const nIndexesWas = collection.indexes.length;
  db.drop(name);
  return { nIndexesWas, ns: collection.namespace, ok: 1 };
}

function dropDatabase(context: CommandContext): Document {
  context.storage.dropDatabase(context.dbName);
  return { ok: 1 };
}

const ok: Handler = () => ({ ok: 1 });

const handlers: Record<string, Handler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  endSessions: ok,
  find,
  getMore,
  killCursors,
  aggregate,
  count,
  distinct,
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
  listCollections,
  listDatabases,
  listIndexes,
  createIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  create,
  drop,
  dropDatabase,
};
