import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabMongoServer } from '../../lab/mongo/server';
import { FileLockStore, type LockHolder } from './locks';
import { LOCK_COLLECTION, MongoClusterLock } from './mongo-lock';

const holder = (opId: string, overrides: Partial<LockHolder> = {}): LockHolder => ({
  opId,
  kind: 'restart',
  title: `Rolling restart (${opId})`,
  cluster: 'rc',
  actor: 'alice',
  host: 'laptop-1',
  pid: 1000,
  since: '2026-03-01T10:00:00.000Z',
  ...overrides,
});

describe('FileLockStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function store(journals: Record<string, 'missing' | 'open' | 'finished'>, alive: Set<number> = new Set()) {
    const dir = mkdtempSync(join(tmpdir(), 'sb-locks-'));
    dirs.push(dir);
    return new FileLockStore(dir, {
      journalStatus: async (opId) => journals[opId] ?? 'missing',
      hostname: 'laptop-1',
      pid: 1000,
      isAlive: (pid) => alive.has(pid),
    });
  }

  it('takes a free lock, and refuses a second operation naming the holder and since when', async () => {
    const locks = store({ 'op-a': 'open' });
    await locks.acquire(holder('op-a'));
    expect(JSON.parse(readFileSync(locks.path('rc'), 'utf8'))).toEqual(holder('op-a'));
    const refused = locks.acquire(holder('op-b', { actor: 'bob' }));
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', details: { holder: holder('op-a') } });
    await expect(refused).rejects.toThrow(
      'Cluster "rc" is locked by alice on laptop-1 since 2026-03-01 10:00:00 UTC: operation "Rolling restart (op-a)" (op-a). The lock is in the journal directory.',
    );
  });

  it('releases only for the operation that holds it', async () => {
    const locks = store({ 'op-a': 'open' });
    await locks.acquire(holder('op-a'));
    await locks.release('rc', 'op-b');
    expect(existsSync(locks.path('rc'))).toBe(true);
    await locks.release('rc', 'op-a');
    expect(existsSync(locks.path('rc'))).toBe(false);
  });

  it('treats a lock whose operation has finished (or has no journal) as stale', async () => {
    const locks = store({ 'op-a': 'finished', 'op-c': 'open' });
    await locks.acquire(holder('op-a'));
    await locks.acquire(holder('op-b'));
    expect((await locks.read('rc'))?.opId).toBe('op-b'); // op-b has no journal: stale in turn
    await locks.acquire(holder('op-c'));
    expect((await locks.read('rc'))?.opId).toBe('op-c');
  });

  it('lets the same operation take its lock over after its process died, not while it lives', async () => {
    const alive = new Set([2000]);
    const locks = store({ 'op-a': 'open' }, alive);
    await locks.acquire(holder('op-a', { pid: 2000 }));
    await expect(locks.acquire(holder('op-a'))).rejects.toThrow(/running in process 2000 on this machine/);
    alive.delete(2000);
    await locks.acquire(holder('op-a', { since: '2026-03-01T11:00:00.000Z' }));
    expect(await locks.read('rc')).toMatchObject({ pid: 1000, since: '2026-03-01T11:00:00.000Z' });
  });

  it('keeps clusters apart, whatever their names contain', async () => {
    const locks = store({ 'op-a': 'open', 'op-b': 'open' });
    await locks.acquire(holder('op-a', { cluster: 'prod/rc' }));
    await locks.acquire(holder('op-b', { cluster: 'prod rc' }));
    expect((await locks.read('prod/rc'))?.opId).toBe('op-a');
    expect((await locks.read('prod rc'))?.opId).toBe('op-b');
  });

  it('refuses, rather than guesses, when a lock file is unreadable', async () => {
    const locks = store({});
    mkdirSync(locks.dir, { recursive: true });
    writeFileSync(locks.path('rc'), 'garbage');
    await expect(locks.acquire(holder('op-a'))).rejects.toThrow(/unreadable/);
  });
});

describe('MongoClusterLock against the lab MongoDB', () => {
  let now = Date.parse('2026-03-01T10:00:00Z');
  const clock = () => now;
  // The lab's TTL monitor follows the same clock as the locks.
  const server = new LabMongoServer({ now: () => new Date(now) });
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    const { url } = await server.start();
    client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    db = client.db('rocketchat');
  });
  afterAll(async () => {
    await client?.close();
    await server.stop();
  });
  afterEach(async () => {
    await db.collection(LOCK_COLLECTION).deleteMany({});
  });

  const lock = () => new MongoClusterLock(db, 'rc', { ttlMs: 60_000, now: clock, label: 'rc-mongo' });

  it('stores holder, since and an expiry under a TTL index', async () => {
    await lock().acquire(holder('op-a'));
    const doc = await db.collection(LOCK_COLLECTION).findOne({ _id: 'rc' as never });
    expect(doc).toMatchObject({
      holder: { opId: 'op-a', actor: 'alice', host: 'laptop-1' },
      since: new Date('2026-03-01T10:00:00Z'),
      expiresAt: new Date(now + 60_000),
    });
    const indexes = await db.collection(LOCK_COLLECTION).listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'expiresAt_ttl')).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
  });

  it('refuses a second holder with who and since, read back from the database', async () => {
    await lock().acquire(holder('op-a'));
    const other = lock().acquire(holder('op-b', { actor: 'bob', host: 'laptop-2' }));
    await expect(other).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(other).rejects.toThrow(
      'Cluster "rc" is locked by alice on laptop-1 since 2026-03-01 10:00:00 UTC: operation "Rolling restart (op-a)" (op-a). The lock is in the switchboard_locks collection of MongoDB rc-mongo.',
    );
  });

  it('renews while held, and reports a lock taken by someone else after it expired', async () => {
    const mine = lock();
    await mine.acquire(holder('op-a'));
    now += 30_000;
    await mine.renew(holder('op-a'));
    expect((await db.collection(LOCK_COLLECTION).findOne({}))?.expiresAt).toEqual(new Date(now + 60_000));
    now += 61_000; // expired: another console may take it
    await lock().acquire(holder('op-b', { actor: 'bob' }));
    await expect(mine.renew(holder('op-a'))).rejects.toThrow(/locked by bob .* taken after this console’s lock expired/);
  });

  it('lets the same operation take its own lock over (resume after a crash), and releases only its own', async () => {
    await lock().acquire(holder('op-a'));
    await lock().acquire(holder('op-a', { pid: 4242 }));
    expect((await db.collection(LOCK_COLLECTION).findOne({}))?.holder).toMatchObject({ opId: 'op-a', pid: 4242 });
    await lock().release(holder('op-b'));
    expect(await db.collection(LOCK_COLLECTION).countDocuments()).toBe(1);
    await lock().release(holder('op-a'));
    expect(await db.collection(LOCK_COLLECTION).countDocuments()).toBe(0);
  });
});
