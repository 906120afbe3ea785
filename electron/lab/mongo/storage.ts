/**
 * The lab MongoDB's storage engine: databases, collections, indexes and cursors in memory,
 * with queries, updates and pipelines evaluated by mingo. It knows nothing about the wire;
 * the lab seeds and inspects it directly through `LabStorage.db(name).collection(name)`.
 *
 * Stored documents are never mutated in place: every write replaces the stored object with an
 * updated copy, so open cursors keep a consistent snapshot and callers cannot alias our state.
 */
import { BSON, ObjectId, Timestamp, UUID, type Document } from 'bson';
import { Aggregator, ProcessingMode, Query, updateOne } from 'mingo';
import type { Options as MingoOptions } from 'mingo/types';
import { resolve } from 'mingo/util';
import { CursorRegistry, type Clock } from './cursors';
import { CommandError } from './errors';

export type { Clock };

export interface IndexSpec {
  v: 2;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  /** TTL: documents whose date in the (single) key field is older than this are removed. */
  expireAfterSeconds?: number;
  partialFilterExpression?: Document;
}

export interface FindOptions {
  projection?: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  collation?: Document;
}

export interface UpdateStatement {
  filter: Document;
  /** Update operators, a replacement document, or an aggregation pipeline. */
  update: Document | Document[];
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Document[];
  collation?: Document;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  /** Set when the statement inserted a document. */
  upsertedId?: unknown;
}

export interface FindAndModifyStatement {
  filter: Document;
  sort?: Document;
  remove?: boolean;
  update?: Document | Document[];
  /** Return the document after the update rather than before it. */
  returnNew?: boolean;
  upsert?: boolean;
  projection?: Document;
  arrayFilters?: Document[];
  collation?: Document;
}

export interface FindAndModifyOutcome {
  value: Document | null;
  lastErrorObject: Document;
}

/** Update operators mingo implements, plus the two the lab resolves itself (see resolveModifier). */
const UPDATE_OPERATORS = new Set([
  '$addToSet', '$bit', '$currentDate', '$inc', '$max', '$min', '$mul', '$pop', '$pull',
  '$pullAll', '$push', '$rename', '$set', '$setOnInsert', '$unset',
]);


/** Deep copy that keeps BSON types (ObjectId, Date, Long, Binary...) intact. */
export function cloneDocument<T extends Document>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc)) as T;
}

function sameBsonValue(a: unknown, b: unknown): boolean {
  return Buffer.from(BSON.serialize({ v: a })).equals(BSON.serialize({ v: b }));
}

function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A dotted path's value; through arrays of subdocuments it yields the array of their values. */
function valueAtPath(doc: Document, path: string): unknown {
  return resolve(doc, path);
}

function setAtPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(current[part])) current[part] = {};
    current = current[part] as Document;
  }
  current[parts[parts.length - 1]!] = value;
}

/** Renders a key value the way mongod prints it in E11000 messages, e.g. `{ _id: "a" }`. */
function formatKeyValue(keyValue: Document): string {
  const render = (value: unknown): string => {
    if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
    if (value instanceof Date) return `new Date(${value.getTime()})`;
    if (value === undefined || value === null) return 'null';
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return BSON.EJSON.stringify(value as Document, { relaxed: true });
  };
  const fields = Object.entries(keyValue).map(([key, value]) => `${key}: ${render(value)}`);
  return `{ ${fields.join(', ')} }`;
}

/** The document an upsert starts from: the equality conditions of its filter (as mongod does). */
function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const collect = (clause: Document): void => {
    for (const [key, value] of Object.entries(clause)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const part of value) if (isPlainObject(part)) collect(part);
      } else if (key.startsWith('$') || value instanceof RegExp) {
        continue;
      } else if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
        if ('$eq' in value) setAtPath(seed, key, value.$eq);
      } else {
        setAtPath(seed, key, value);
      }
    }
  };
  collect(filter);
  return seed;
}

function isOperatorUpdate(update: Document): boolean {
  return Object.keys(update).some((key) => key.startsWith('$'));
}

/**
 * Turns the operators mingo does not know into `$set`s: `$setOnInsert` (only when the update
 * inserts) and `$currentDate` (using the lab clock, so TTL expiry follows the injected time).
 */
function resolveModifier(update: Document, now: Date, inserting: boolean): Document {
  for (const operator of Object.keys(update)) {
    if (!UPDATE_OPERATORS.has(operator)) {
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
  }
  const { $setOnInsert, $currentDate, ...modifier } = update;
  const sets: Document = {};
  if (inserting && isPlainObject($setOnInsert)) Object.assign(sets, $setOnInsert);
  if (isPlainObject($currentDate)) {
    for (const [path, spec] of Object.entries($currentDate)) {
      const asTimestamp = isPlainObject(spec) && spec.$type === 'timestamp';
      sets[path] = asTimestamp
        ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 })
        : new Date(now.getTime());
    }
  }
  if (Object.keys(sets).length > 0) {
    modifier.$set = { ...(isPlainObject(modifier.$set) ? modifier.$set : {}), ...sets };
  }
  return modifier;
}

function withIdFirst(doc: Document, id: unknown): Document {
  const { _id: _ignored, ...rest } = doc;
  return { _id: id, ...rest };
}

export class LabCollection {
  readonly uuid = new UUID();
  private docs: Document[] = [];
  private readonly indexList: IndexSpec[] = [{ v: 2, key: { _id: 1 }, name: '_id_' }];

  constructor(
    readonly database: LabDatabase,
    readonly name: string,
    private readonly now: Clock,
  ) {}

  get namespace(): string {
    return `${this.database.name}.${this.name}`;
  }

  get indexes(): readonly IndexSpec[] {
    return this.indexList;
  }

  /** Number of stored documents, after TTL expiry. */
  get size(): number {
    this.sweepExpired();
    return this.docs.length;
  }

  find(filter: Document = {}, options: FindOptions = {}): Document[] {
    this.sweepExpired();
    const cursor = new Query(filter, this.mingoOptions(options.collation)).find<Document>(
      this.docs,
      options.projection ?? {},
    );
    if (options.sort !== undefined && Object.keys(options.sort).length > 0) cursor.sort(options.sort);
    if (options.skip !== undefined && options.skip > 0) cursor.skip(options.skip);
    if (options.limit !== undefined && options.limit > 0) cursor.limit(options.limit);
    return cursor.all();
  }

  findOne(filter: Document = {}): Document | null {
    return this.find(filter, { limit: 1 })[0] ?? null;
  }

  count(filter: Document = {}, options: { skip?: number; limit?: number; collation?: Document } = {}): number {
    const { skip = 0, limit = 0 } = options;
    const matched = this.find(filter, { collation: options.collation }).length;
    const afterSkip = Math.max(0, matched - Math.max(0, skip));
    return limit !== 0 ? Math.min(afterSkip, Math.abs(limit)) : afterSkip;
  }

  distinct(key: string, filter: Document = {}, collation?: Document): unknown[] {
    const values: unknown[] = [];
    const add = (value: unknown): void => {
      if (value === undefined) return;
      if (!values.some((seen) => sameBsonValue(seen, value))) values.push(value);
    };
    for (const doc of this.find(filter, { collation })) {
      const value = valueAtPath(doc, key);
      if (Array.isArray(value)) value.forEach(add);
      else add(value);
    }
    return values;
  }

  aggregate(pipeline: Document[], options: { collation?: Document } = {}): Document[] {
    this.sweepExpired();
    for (const stage of pipeline) {
      const name = Object.keys(stage)[0];
      if (name === '$out' || name === '$merge') {
        throw new CommandError('BadValue', `${name} is not supported by the lab MongoDB`);
      }
    }
    const aggregator = new Aggregator(pipeline, {
      ...this.mingoOptions(options.collation),
      // Pipelines such as $set mutate their input; work on copies of the stored documents.
      processingMode: ProcessingMode.CLONE_INPUT,
      collectionResolver: (name: string) => this.database.snapshot(name),
    });
    return aggregator.run(this.docs) as Document[];
  }

  insertOne(document: Document): unknown {
    this.sweepExpired();
    const id = '_id' in document ? document._id : new ObjectId();
    if (Array.isArray(id)) throw new CommandError('BadValue', "can't use an array for _id");
    const stored = cloneDocument(withIdFirst(document, id));
    this.assertUnique(stored, -1);
    this.docs.push(stored);
    return id;
  }

  /** Ordered convenience for seeding: stops at the first failure, like the driver's default. */
  insertMany(documents: Document[]): unknown[] {
    return documents.map((document) => this.insertOne(document));
  }

  update(statement: UpdateStatement): UpdateOutcome {
    this.sweepExpired();
    const query = new Query(statement.filter, this.mingoOptions(statement.collation));
    let matched = 0;
    let modified = 0;
    for (let index = 0; index < this.docs.length; index += 1) {
      if (!query.test(this.docs[index]!)) continue;
      matched += 1;
      if (this.replaceAt(index, statement)) modified += 1;
      if (statement.multi !== true) break;
    }
    if (matched > 0 || statement.upsert !== true) return { matched, modified };
    const upserted = this.upsert(statement);
    return { matched: 0, modified: 0, upsertedId: upserted._id };
  }

  /** Deletes matching documents (at most one when `limit` is 1); returns how many went. */
  delete(filter: Document, options: { limit?: number; collation?: Document } = {}): number {
    this.sweepExpired();
    const query = new Query(filter, this.mingoOptions(options.collation));
    const kept: Document[] = [];
    let deleted = 0;
    for (const doc of this.docs) {
      if ((options.limit !== 1 || deleted === 0) && query.test(doc)) deleted += 1;
      else kept.push(doc);
    }
    this.docs = kept;
    return deleted;
  }

  findAndModify(statement: FindAndModifyStatement): FindAndModifyOutcome {
    this.sweepExpired();
    const [target] = this.find(statement.filter, { sort: statement.sort, limit: 1, collation: statement.collation });
    const project = (doc: Document | null): Document | null =>
      doc === null || statement.projection === undefined || Object.keys(statement.projection).length === 0
        ? doc
        : (new Query({}, this.mingoOptions()).find<Document>([doc], statement.projection).all()[0] ?? null);

    if (statement.remove === true) {
      if (target === undefined) return { value: null, lastErrorObject: { n: 0 } };
      this.docs = this.docs.filter((doc) => doc !== target);
      return { value: project(target), lastErrorObject: { n: 1 } };
    }
    if (statement.update === undefined) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
    const update = statement.update;
    if (target !== undefined) {
      const index = this.docs.indexOf(target);
      this.replaceAt(index, { filter: statement.filter, update, arrayFilters: statement.arrayFilters, collation: statement.collation });
      const after = this.docs[index]!;
      return {
        value: project(statement.returnNew === true ? after : target),
        lastErrorObject: { n: 1, updatedExisting: true },
      };
    }
    if (statement.upsert !== true) return { value: null, lastErrorObject: { n: 0, updatedExisting: false } };
    const inserted = this.upsert({ filter: statement.filter, update, arrayFilters: statement.arrayFilters });
    return {
      value: project(statement.returnNew === true ? inserted : null),
      lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted._id },
    };
  }

  /**
   * Records an index; returns false if an identical one already exists. Unique indexes are
   * enforced on every write; a single-field `expireAfterSeconds` index makes this a TTL collection.
   */
  createIndex(spec: Omit<IndexSpec, 'v' | 'name'> & { name?: string }): { created: boolean; name: string } {
    this.sweepExpired();
    const name = spec.name ?? Object.entries(spec.key).map(([field, order]) => `${field}_${String(order)}`).join('_');
    const index: IndexSpec = { ...spec, v: 2, name };
    const sameName = this.indexList.find((existing) => existing.name === name);
    const sameKey = this.indexList.find((existing) => sameBsonValue(existing.key, index.key));
    if (sameName !== undefined && sameBsonValue(sameName, index)) return { created: false, name };
    if (sameName !== undefined) {
      if (!sameBsonValue(sameName.key, index.key)) {
        throw new CommandError(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${BSON.EJSON.stringify(index)}, existing index: ${BSON.EJSON.stringify(sameName)}`,
        );
      }
      throw new CommandError(
        'IndexOptionsConflict',
        `An equivalent index already exists with the same name but different options. Requested index: ${BSON.EJSON.stringify(index)}, existing index: ${BSON.EJSON.stringify(sameName)}`,
      );
    }
    if (sameKey !== undefined) {
      throw new CommandError(
        'IndexOptionsConflict',
        `An equivalent index already exists with a different name and options. Requested index: ${BSON.EJSON.stringify(index)}, existing index: ${BSON.EJSON.stringify(sameKey)}`,
      );
    }
    if (index.unique === true) {
      this.indexList.push(index);
      try {
        this.docs.forEach((doc, position) => this.assertUnique(doc, position, [index]));
      } catch (error) {
        this.indexList.pop();
        throw error;
      }
    } else {
      this.indexList.push(index);
    }
    return { created: true, name };
  }

  /** Drops one index by name, or every index but `_id_` for `'*'`. */
  dropIndex(name: string): void {
    if (name === '*') {
      this.indexList.splice(1);
      return;
    }
    if (name === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
    const position = this.indexList.findIndex((index) => index.name === name);
    if (position < 0) throw new CommandError('IndexNotFound', `index not found with name [${name}]`);
    this.indexList.splice(position, 1);
  }

  /**
   * Removes documents whose TTL date has passed by the injected clock. mongod's TTL monitor
   * runs every 60 s; the lab runs this on every operation and when the lab's clock asks, so
   * expiry is deterministic. Returns how many documents were removed.
   */
  sweepExpired(): number {
    const ttlIndexes = this.indexList.filter(
      (index) => index.expireAfterSeconds !== undefined && Object.keys(index.key).length === 1,
    );
    if (ttlIndexes.length === 0) return 0;
    const now = this.now().getTime();
    const before = this.docs.length;
    this.docs = this.docs.filter((doc) =>
      ttlIndexes.every((index) => {
        const value = valueAtPath(doc, Object.keys(index.key)[0]!);
        const dates = (Array.isArray(value) ? value : [value]).filter((v): v is Date => v instanceof Date);
        if (dates.length === 0) return true;
        const earliest = Math.min(...dates.map((date) => date.getTime()));
        return earliest >= now - index.expireAfterSeconds! * 1000;
      }),
    );
    return before - this.docs.length;
  }

  /** A copy of the stored documents, for `$lookup` from another collection. */
  snapshot(): Document[] {
    this.sweepExpired();
    return this.docs.map((doc) => cloneDocument(doc));
  }

  private mingoOptions(collation?: Document): Partial<MingoOptions> {
    return collation === undefined ? {} : { collation: collation as MingoOptions['collation'] };
  }

  /** Applies an update to the document at `index`; returns whether it changed. */
  private replaceAt(index: number, statement: UpdateStatement): boolean {
    const original = this.docs[index]!;
    const updated = this.applyUpdate(original, statement, false);
    if (!sameBsonValue(original._id, updated._id)) {
      throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    if (sameBsonValue(original, updated)) return false;
    this.assertUnique(updated, index);
    this.docs[index] = updated;
    return true;
  }

  private upsert(statement: UpdateStatement): Document {
    const seed = upsertSeed(statement.filter);
    const built = this.applyUpdate(seed, { ...statement, filter: {} }, true);
    if ('_id' in seed && !sameBsonValue(seed._id, built._id)) {
      throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    const inserted = withIdFirst(built, '_id' in built ? built._id : new ObjectId());
    this.assertUnique(inserted, -1);
    this.docs.push(inserted);
    return inserted;
  }

  /** Returns an updated copy of `doc`; the stored document is left untouched. */
  private applyUpdate(doc: Document, statement: UpdateStatement, inserting: boolean): Document {
    const { update } = statement;
    if (!Array.isArray(update) && !isOperatorUpdate(update)) {
      // Replacement: keeps the existing _id (or the filter's, on upsert).
      const replacement = cloneDocument(update);
      return '_id' in doc ? withIdFirst(replacement, replacement._id ?? doc._id) : replacement;
    }
    const modifier = Array.isArray(update) ? update : resolveModifier(update, this.now(), inserting);
    const working = [cloneDocument(doc)];
    if (!Array.isArray(modifier)) this.applyIdSet(working[0]!, modifier, inserting);
    try {
      updateOne(
        working,
        statement.filter,
        modifier as Parameters<typeof updateOne>[2],
        { arrayFilters: statement.arrayFilters, cloneMode: 'deep' },
        this.mingoOptions(statement.collation),
      );
    } catch (error) {
      if (error instanceof Error && error.message.includes('would modify the immutable field')) {
        throw new CommandError('ImmutableField', error.message);
      }
      throw error;
    }
    return working[0]!;
  }

  /**
   * mingo refuses every operator on `_id`; mongod allows `$set`/`$setOnInsert` of `_id` when
   * inserting, and a `$set` to the value it already has. Takes that case out of the modifier.
   */
  private applyIdSet(doc: Document, modifier: Document, inserting: boolean): void {
    const sets = modifier.$set;
    if (!isPlainObject(sets) || !('_id' in sets)) return;
    const { _id: id, ...rest } = sets;
    if (inserting) doc._id = id;
    else if (!sameBsonValue(doc._id, id)) {
      throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    if (Object.keys(rest).length > 0) modifier.$set = rest;
    else delete modifier.$set;
  }

  /** Throws mongod's E11000 error if `doc` collides with another document on a unique index. */
  private assertUnique(doc: Document, ownPosition: number, indexes: IndexSpec[] = this.indexList): void {
    for (const index of indexes) {
      if (index.name !== '_id_' && index.unique !== true) continue;
      const key = this.indexKey(doc, index);
      if (key === undefined) continue;
      const collides = this.docs.some(
        (other, position) => position !== ownPosition && other !== doc && this.indexKey(other, index)?.equals(key),
      );
      if (!collides) continue;
      const keyValue: Document = {};
      for (const field of Object.keys(index.key)) keyValue[field] = valueAtPath(doc, field) ?? null;
      throw new CommandError(
        'DuplicateKey',
        `E11000 duplicate key error collection: ${this.namespace} index: ${index.name} dup key: ${formatKeyValue(keyValue)}`,
        { keyPattern: index.key, keyValue },
      );
    }
  }

  /** The bytes a unique index compares, or undefined when the document is not in the index. */
  private indexKey(doc: Document, index: IndexSpec): Buffer | undefined {
    const values = Object.keys(index.key).map((field) => valueAtPath(doc, field));
    if (index.sparse === true && values.every((value) => value === undefined)) return undefined;
    if (index.partialFilterExpression !== undefined && !new Query(index.partialFilterExpression, {}).test(doc)) {
      return undefined;
    }
    return Buffer.from(BSON.serialize({ k: values.map((value) => value ?? null) }));
  }
}

export class LabDatabase {
  private readonly collectionMap = new Map<string, LabCollection>();

  constructor(
    readonly name: string,
    private readonly now: Clock,
  ) {}

  /** The named collection, created on first use (as an insert into a new collection does). */
  collection(name: string): LabCollection {
    let collection = this.collectionMap.get(name);
    if (collection === undefined) {
      if (name.length === 0 || name.includes('$') || name.includes('\0')) {
        throw new CommandError('InvalidNamespace', `Invalid collection name: ${name}`);
      }
      collection = new LabCollection(this, name, this.now);
      this.collectionMap.set(name, collection);
    }
    return collection;
  }

  existing(name: string): LabCollection | undefined {
    return this.collectionMap.get(name);
  }

  /** For reads: the collection, or an empty one that is not created (reads never create). */
  readView(name: string): LabCollection {
    return this.collectionMap.get(name) ?? new LabCollection(this, name, this.now);
  }

  get collections(): LabCollection[] {
    return [...this.collectionMap.values()];
  }

  drop(name: string): boolean {
    return this.collectionMap.delete(name);
  }

  snapshot(name: string): Document[] {
    return this.collectionMap.get(name)?.snapshot() ?? [];
  }
}

/** All databases of one lab server, plus its cursors, on one clock. */
export class LabStorage {
  private readonly databaseMap = new Map<string, LabDatabase>();
  readonly cursors: CursorRegistry;

  constructor(readonly now: Clock = () => new Date()) {
    this.cursors = new CursorRegistry(now);
  }

  db(name: string): LabDatabase {
    let database = this.databaseMap.get(name);
    if (database === undefined) {
      if (name.length === 0 || /[/\\. "$\0]/.test(name)) {
        throw new CommandError('InvalidNamespace', `Invalid database name: '${name}'`);
      }
      database = new LabDatabase(name, this.now);
      this.databaseMap.set(name, database);
    }
    return database;
  }

  /** Databases that hold at least one collection (mongod lists no empty ones). */
  get databases(): LabDatabase[] {
    return [...this.databaseMap.values()].filter((database) => database.collections.length > 0);
  }

  dropDatabase(name: string): void {
    this.databaseMap.delete(name);
  }

  /** Applies TTL expiry everywhere and reaps idle cursors; returns the documents removed. */
  sweepExpired(): number {
    this.cursors.sweepIdle();
    let removed = 0;
    for (const database of this.databaseMap.values()) {
      for (const collection of database.collections) removed += collection.sweepExpired();
    }
    return removed;
  }
}
