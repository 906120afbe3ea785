/**
 * The lab MongoDB through the official driver. With MONGO_URL set, the same suite runs against
 * that real mongod instead, which keeps the lab honest: every expectation here holds for both.
 */
import { randomUUID } from 'node:crypto';
import { MongoBulkWriteError, MongoClient, MongoServerError, type CommandStartedEvent, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LabMongoServer } from './server';

const realMongoUrl = process.env.MONGO_URL;

class ManualClock {
  private current = new Date('2025-03-01T12:00:00Z').getTime();
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current += ms;
  }
}

interface Harness {
  client: MongoClient;
  db: Db;
  started: CommandStartedEvent[];
  lab: { server: LabMongoServer; clock: ManualClock } | undefined;
  close(): Promise<void>;
}

/** Starts a lab server, or uses the real mongod at MONGO_URL, with a fresh database either way. */
async function connect(): Promise<Harness> {
  const dbName = `switchboard_lab_test_${randomUUID().slice(0, 8)}`;
  let lab: Harness['lab'];
  let url = realMongoUrl;
  if (url === undefined) {
    const clock = new ManualClock();
    const server = new LabMongoServer({ now: clock.now });
    url = (await server.start(0)).url;
    lab = { server, clock };
  }
  const client = new MongoClient(url, { monitorCommands: true, serverSelectionTimeoutMS: 5_000 });
  const started: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => started.push(event));
  await client.connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    started,
    lab,
    async close() {
      await db.dropDatabase();
      await client.close();
      await lab?.server.stop();
    },
  };
}

describe(`lab MongoDB through the official driver (${realMongoUrl === undefined ? 'lab server' : 'real mongod at MONGO_URL'})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
  });
  afterAll(async () => {
    await h.close();
  });

  const labOnly = realMongoUrl === undefined ? test : test.skip;

  test('connects and answers hello, ping and buildInfo', async () => {
    const admin = h.client.db('admin');
    const hello = await admin.command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(await admin.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await admin.command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('inserts, then finds with filter, sort, limit, skip and projection', async () => {
    const nodes = h.db.collection('nodes');
    const one = await nodes.insertOne({ name: 'rc-1', port: 3001, role: 'app' });
    expect(one.insertedId).toBeDefined();
    const many = await nodes.insertMany([
      { name: 'rc-2', port: 3002, role: 'app' },
      { name: 'rc-3', port: 3003, role: 'app' },
      { name: 'haproxy', port: 8404, role: 'lb' },
    ]);
    expect(many.insertedCount).toBe(3);

    const apps = await nodes
      .find({ role: 'app', port: { $gte: 3002 } }, { projection: { _id: 0, name: 1 } })
      .sort({ port: -1 })
      .toArray();
    expect(apps).toEqual([{ name: 'rc-3' }, { name: 'rc-2' }]);

    const second = await nodes.find({}, { projection: { name: 1 } }).sort({ name: 1 }).skip(1).limit(1).toArray();
    expect(second.map((doc) => doc.name)).toEqual(['rc-1']);
    expect(Object.keys(second[0]!).sort()).toEqual(['_id', 'name']);

    const found = await nodes.findOne({ _id: one.insertedId });
    expect(found?.name).toBe('rc-1');
  });

  test('a small batchSize makes the driver page through getMore', async () => {
    const pages = h.db.collection('pages');
    await pages.insertMany(Array.from({ length: 7 }, (_, n) => ({ n })));
    const before = h.started.length;
    const all = await pages.find({}).sort({ n: 1 }).batchSize(2).toArray();
    expect(all.map((doc) => doc.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const getMores = h.started.slice(before).filter((event) => event.commandName === 'getMore');
    expect(getMores.length).toBe(3);
  });

  test('closing a cursor early kills it on the server', async () => {
    const early = h.db.collection('early');
    await early.insertMany(Array.from({ length: 5 }, (_, n) => ({ n })));
    const cursor = early.find({}).batchSize(2);
    expect((await cursor.next())?.n).toBe(0);
    const cursorId = cursor.id;
    await cursor.close();
    const kill = h.started.filter((event) => event.commandName === 'killCursors').at(-1);
    expect(kill?.command.cursors).toEqual([cursorId]);
    const getMore = h.db.command({ getMore: cursorId!, collection: 'early' });
    await expect(getMore).rejects.toMatchObject({ code: 43 });
  });

  test('updateOne with $set, and upsert seeded from the filter', async () => {
    const settings = h.db.collection<{ _id: string; value?: unknown; createdBy?: string }>('settings');
    await settings.insertOne({ _id: 'Site_Url', value: 'http://old' });
    const set = await settings.updateOne({ _id: 'Site_Url' }, { $set: { value: 'https://new' } });
    expect(set).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const same = await settings.updateOne({ _id: 'Site_Url' }, { $set: { value: 'https://new' } });
    expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 0 });

    const upsert = await settings.updateOne(
      { _id: 'Enterprise_License' },
      { $set: { value: '' }, $setOnInsert: { createdBy: 'lab' } },
      { upsert: true },
    );
    expect(upsert).toMatchObject({ matchedCount: 0, upsertedCount: 1, upsertedId: 'Enterprise_License' });
    expect(await settings.findOne({ _id: 'Enterprise_License' })).toEqual({ _id: 'Enterprise_License', value: '', createdBy: 'lab' });

    // $setOnInsert does nothing when the document already exists.
    await settings.updateOne({ _id: 'Enterprise_License' }, { $setOnInsert: { createdBy: 'other' } }, { upsert: true });
    expect((await settings.findOne({ _id: 'Enterprise_License' }))?.createdBy).toBe('lab');

    await expect(settings.updateOne({ _id: 'Site_Url' }, { $set: { _id: 'changed' } })).rejects.toMatchObject({ code: 66 });
  });

  test('updateOne applies $inc, $push and $unset; replaceOne keeps the _id', async () => {
    const counters = h.db.collection<{ hits?: number; tags?: string[]; stale?: boolean; replaced?: boolean }>('counters');
    const { insertedId } = await counters.insertOne({ hits: 1, tags: ['a'], stale: true });
    await counters.updateOne({ _id: insertedId }, { $inc: { hits: 2 }, $push: { tags: 'b' }, $unset: { stale: '' } });
    expect(await counters.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({ hits: 3, tags: ['a', 'b'] });
    await counters.replaceOne({ _id: insertedId }, { replaced: true });
    expect(await counters.findOne({ _id: insertedId })).toEqual({ _id: insertedId, replaced: true });
  });

  test('upserts build the new document from filter equalities, $setOnInsert and $currentDate', async () => {
    const nodes = h.db.collection<{ _id: string; cluster?: { name: string }; role?: string; since?: Date }>('upsert_nodes');
    await nodes.updateOne(
      { $and: [{ 'cluster.name': 'rc' }, { role: { $eq: 'app' } }], port: { $gt: 3000 } },
      { $setOnInsert: { _id: 'node-1' }, $currentDate: { since: true } },
      { upsert: true },
    );
    const created = await nodes.findOne({ _id: 'node-1' });
    expect(created).toMatchObject({ _id: 'node-1', cluster: { name: 'rc' }, role: 'app' });
    expect(created?.since).toBeInstanceOf(Date);
    expect(created).not.toHaveProperty('port');
  });

  test('positional and filtered array updates, and distinct', async () => {
    const hosts = h.db.collection('array_hosts');
    await hosts.insertOne({
      name: 'rc',
      units: [
        { unit: 'rocketchat', state: 'failed' },
        { unit: 'presence', state: 'failed' },
      ],
    });
    await hosts.updateOne({ name: 'rc', 'units.unit': 'presence' }, { $set: { 'units.$.state': 'active' } });
    await hosts.updateOne({ name: 'rc' }, { $set: { 'units.$[u].state': 'activating' } }, { arrayFilters: [{ 'u.state': 'failed' }] });
    const doc = await hosts.findOne({ name: 'rc' }, { projection: { _id: 0, units: 1 } });
    expect(doc).toEqual({
      units: [
        { unit: 'rocketchat', state: 'activating' },
        { unit: 'presence', state: 'active' },
      ],
    });
    expect((await hosts.distinct('units.state')).sort()).toEqual(['activating', 'active']);
  });

  test('updateMany and deleteMany report what they touched', async () => {
    const users = h.db.collection('bulk_users');
    await users.insertMany([
      { username: 'a', active: true },
      { username: 'b', active: true },
      { username: 'c', active: false },
    ]);
    const updated = await users.updateMany({ active: true }, { $set: { roles: ['user'] } });
    expect(updated).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(await users.countDocuments({ roles: 'user' })).toBe(2);
    const deleted = await users.deleteMany({ active: true });
    expect(deleted.deletedCount).toBe(2);
    expect(await users.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ username: 'c', active: false }]);
    expect((await users.deleteOne({ username: 'nobody' })).deletedCount).toBe(0);
  });

  test('findOneAndUpdate returns the document before or after; findOneAndDelete removes it', async () => {
    const jobs = h.db.collection('jobs');
    await jobs.insertMany([
      { name: 'restart', state: 'queued', priority: 2 },
      { name: 'license', state: 'queued', priority: 1 },
    ]);
    const before = await jobs.findOneAndUpdate({ state: 'queued' }, { $set: { state: 'running' } }, { sort: { priority: 1 } });
    expect(before).toMatchObject({ name: 'license', state: 'queued' });
    const after = await jobs.findOneAndUpdate(
      { state: 'queued' },
      { $set: { state: 'running' } },
      { returnDocument: 'after', projection: { _id: 0, name: 1, state: 1 } },
    );
    expect(after).toEqual({ name: 'restart', state: 'running' });
    const upserted = await jobs.findOneAndUpdate(
      { name: 'rollback' },
      { $set: { state: 'queued' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted).toMatchObject({ name: 'rollback', state: 'queued' });
    expect(await jobs.findOneAndUpdate({ name: 'missing' }, { $set: { state: 'x' } })).toBeNull();
    const removed = await jobs.findOneAndDelete({ name: 'rollback' });
    expect(removed?.name).toBe('rollback');
    expect(await jobs.countDocuments()).toBe(2);
  });

  test('aggregate runs $match, $group and $sort', async () => {
    const conns = h.db.collection('conns');
    await conns.insertMany([
      { node: 'rc-1', conns: 10 },
      { node: 'rc-2', conns: 5 },
      { node: 'rc-1', conns: 7 },
      { node: 'rc-3', conns: 0 },
    ]);
    const totals = await conns
      .aggregate([
        { $match: { conns: { $gt: 0 } } },
        { $group: { _id: '$node', total: { $sum: '$conns' }, samples: { $sum: 1 } } },
        { $sort: { total: -1 } },
      ])
      .toArray();
    expect(totals).toEqual([
      { _id: 'rc-1', total: 17, samples: 2 },
      { _id: 'rc-2', total: 5, samples: 1 },
    ]);
  });

  test('countDocuments and estimatedDocumentCount', async () => {
    const counted = h.db.collection('counted');
    await counted.insertMany(Array.from({ length: 6 }, (_, n) => ({ n, even: n % 2 === 0 })));
    expect(await counted.countDocuments({ even: true })).toBe(3);
    expect(await counted.countDocuments({}, { skip: 2, limit: 3 })).toBe(3);
    expect(await counted.estimatedDocumentCount()).toBe(6);
    expect(await h.db.collection('never_created').countDocuments()).toBe(0);
  });

  test('listCollections lists what exists, filtered by name', async () => {
    await h.db.collection('listed_a').insertOne({ x: 1 });
    await h.db.createCollection('listed_b');
    const names = (await h.db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name);
    expect(names).toEqual(expect.arrayContaining(['listed_a', 'listed_b']));
    expect(names).not.toContain('never_created');
    const one = await h.db.listCollections({ name: 'listed_a' }).toArray();
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ name: 'listed_a', type: 'collection' });
    await expect(h.db.createCollection('listed_b')).rejects.toMatchObject({ code: 48 });
  });

  test('createIndex records a TTL index that listIndexes reports', async () => {
    const instances = h.db.collection('ttl_listed');
    const name = await instances.createIndex({ _updatedAt: 1 }, { expireAfterSeconds: 60 });
    expect(name).toBe('_updatedAt_1');
    const indexes = await instances.indexes();
    expect(indexes.find((index) => index.name === '_updatedAt_1')).toMatchObject({ key: { _updatedAt: 1 }, expireAfterSeconds: 60 });
    await instances.dropIndex('_updatedAt_1');
    expect((await instances.indexes()).map((index) => index.name)).toEqual(['_id_']);
  });

  labOnly('TTL expiry follows the injected clock (lab only: a real mongod expires on the wall clock every 60 s)', async () => {
    const { clock, server } = h.lab!;
    const instances = h.db.collection<{ _id: string; _updatedAt?: Date }>('ttl_expiring');
    await instances.createIndex({ _updatedAt: 1 }, { expireAfterSeconds: 60 });
    await instances.insertOne({ _id: 'silent', _updatedAt: clock.now() });
    // TTL only expires dates: a document whose field holds anything else stays.
    await h.db.collection<{ _id: string; _updatedAt: string }>('ttl_expiring').insertOne({ _id: 'no-date', _updatedAt: 'not a date' });
    clock.advance(59_000);
    expect(await instances.countDocuments({ _id: 'silent' })).toBe(1);
    // A live node heartbeats with $currentDate, which uses the lab clock too.
    await instances.updateOne({ _id: 'alive' }, { $currentDate: { _updatedAt: true } }, { upsert: true });
    clock.advance(2_000);
    const left = await instances.find({}).toArray();
    expect(left.map((doc) => doc._id).sort()).toEqual(['alive', 'no-date']);

    // The lab's clock can also sweep explicitly, without any read.
    clock.advance(60_000);
    expect(server.sweepExpired()).toBe(1);
    expect(server.db(h.db.databaseName).collection('ttl_expiring').find().map((doc) => doc._id)).toEqual(['no-date']);
  });

  test('a duplicate _id fails with E11000 (code 11000) in MongoDB’s shape', async () => {
    const dup = h.db.collection<{ _id: string; n?: number }>('dup');
    await dup.insertOne({ _id: 'same' });
    const error = await dup.insertOne({ _id: 'same' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 'same' } });
    expect((error as MongoServerError).message).toContain('E11000 duplicate key error collection:');

    const bulk = await dup
      .insertMany([{ _id: 'fresh-1' }, { _id: 'same' }, { _id: 'fresh-2' }], { ordered: false })
      .catch((caught: unknown) => caught);
    expect(bulk).toBeInstanceOf(MongoBulkWriteError);
    expect((bulk as MongoBulkWriteError).insertedCount).toBe(2);
    expect((bulk as MongoBulkWriteError).writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
  });

  test('a unique index rejects an update that would collide', async () => {
    const named = h.db.collection('unique_names');
    await named.createIndex({ username: 1 }, { unique: true });
    await named.insertMany([{ username: 'alice' }, { username: 'bob' }]);
    await expect(named.updateOne({ username: 'bob' }, { $set: { username: 'alice' } })).rejects.toMatchObject({
      code: 11000,
      keyValue: { username: 'alice' },
    });
    expect(await named.countDocuments({ username: 'bob' })).toBe(1);
  });

  test('an unacknowledged write (w: 0) is applied without a reply', async () => {
    const fireAndForget = h.db.collection('w0');
    await fireAndForget.insertOne({ marker: 1 }, { writeConcern: { w: 0 } });
    const deadline = Date.now() + 5_000;
    while ((await fireAndForget.countDocuments({ marker: 1 })) === 0 && Date.now() < deadline) {
      // Unacknowledged: poll until the write is visible.
    }
    expect(await fireAndForget.countDocuments({ marker: 1 })).toBe(1);
  });

  test('an unknown command fails with CommandNotFound (code 59)', async () => {
    const error = await h.db.command({ frobnicateCluster: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect((error as MongoServerError).message).toContain("no such command: 'frobnicateCluster'");
  });

  test('an invalid query operator fails with BadValue (code 2)', async () => {
    await h.db.collection('bad').insertOne({ a: 1 });
    await expect(h.db.collection('bad').find({ a: { $frobnicate: 1 } }).toArray()).rejects.toMatchObject({ code: 2 });
  });
});
