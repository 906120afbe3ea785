/** The storage engine on its own: the parts the lab uses directly, without the wire. */
import { describe, expect, test } from 'vitest';
import { CommandError } from './errors';
import { LabStorage } from './storage';

function clock(start = Date.UTC(2025, 2, 1)) {
  let current = start;
  return { now: () => new Date(current), advance: (ms: number) => (current += ms) };
}

function codeOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandError) return error.code;
    throw error;
  }
  return undefined;
}

describe('LabStorage', () => {
  test('reads never create collections; writes do', () => {
    const storage = new LabStorage();
    const db = storage.db('lab');
    expect(db.readView('ghost').find()).toEqual([]);
    expect(db.existing('ghost')).toBeUndefined();
    expect(storage.databases).toEqual([]);
    db.collection('real').insertOne({ a: 1 });
    expect(storage.databases.map((database) => database.name)).toEqual(['lab']);
  });

  test('documents are copied in and out, so callers cannot alter stored state', () => {
    const collection = new LabStorage().db('lab').collection('c');
    const original = { _id: 'x', nested: { n: 1 } };
    collection.insertOne(original);
    original.nested.n = 2;
    expect(collection.findOne({ _id: 'x' })).toEqual({ _id: 'x', nested: { n: 1 } });
    collection.aggregate([{ $set: { 'nested.n': 3 } }]);
    expect(collection.findOne({ _id: 'x' })).toEqual({ _id: 'x', nested: { n: 1 } });
  });

  test('index conflicts and unique builds fail with mongod’s codes', () => {
    const collection = new LabStorage().db('lab').collection('c');
    collection.insertMany([{ u: 1 }, { u: 1 }]);
    expect(codeOf(() => collection.createIndex({ key: { u: 1 }, unique: true }))).toBe(11000);
    expect(collection.indexes.map((index) => index.name)).toEqual(['_id_']);
    expect(collection.createIndex({ key: { t: 1 }, expireAfterSeconds: 60 })).toEqual({ created: true, name: 't_1' });
    expect(collection.createIndex({ key: { t: 1 }, expireAfterSeconds: 60 })).toEqual({ created: false, name: 't_1' });
    expect(codeOf(() => collection.createIndex({ key: { t: 1 }, expireAfterSeconds: 30 }))).toBe(85);
    expect(codeOf(() => collection.createIndex({ key: { other: 1 }, name: 't_1' }))).toBe(86);
    expect(codeOf(() => collection.dropIndex('_id_'))).toBe(72);
    expect(codeOf(() => collection.dropIndex('nope'))).toBe(27);
  });

  test('TTL keeps a document until its date is older than expireAfterSeconds', () => {
    const time = clock();
    const storage = new LabStorage(time.now);
    const instances = storage.db('rocketchat').collection('instances');
    instances.createIndex({ key: { _updatedAt: 1 }, expireAfterSeconds: 60 });
    instances.insertOne({ _id: 'node', _updatedAt: time.now() });
    time.advance(60_000);
    expect(storage.sweepExpired()).toBe(0);
    time.advance(1);
    expect(storage.sweepExpired()).toBe(1);
    expect(instances.size).toBe(0);
  });

  test('cursors hand out batches and are reaped after ten idle minutes', () => {
    const time = clock();
    const storage = new LabStorage(time.now);
    const documents = [{ n: 1 }, { n: 2 }, { n: 3 }];
    const first = storage.cursors.open('lab.c', [...documents], 2);
    expect(first.documents).toEqual([{ n: 1 }, { n: 2 }]);
    expect(first.id.isZero()).toBe(false);
    const last = storage.cursors.getMore(first.id, 2);
    expect(last.documents).toEqual([{ n: 3 }]);
    expect(last.id.isZero()).toBe(true);

    const idle = storage.cursors.open('lab.c', [...documents], 0);
    expect(idle.documents).toEqual([]);
    time.advance(10 * 60 * 1000 + 1);
    storage.sweepExpired();
    expect(codeOf(() => storage.cursors.getMore(idle.id, 1))).toBe(43);
  });

  test('pipelines that write ($out, $merge) are refused rather than silently ignored', () => {
    const collection = new LabStorage().db('lab').collection('c');
    expect(codeOf(() => collection.aggregate([{ $out: 'elsewhere' }]))).toBe(2);
  });
});
