/**
 * The seeded Rocket.Chat data, read through the official driver with the queries Rocket.Chat
 * itself runs. With MONGO_URL set, the seed goes through the driver into that real mongod.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INSTANCE_EXPIRE_SECONDS, seedRocketChat, type RocketChatSeedResult } from './rocketchat-seed';
import { LabMongoServer } from './server';

const realMongoUrl = process.env.MONGO_URL;
const labOnly = realMongoUrl === undefined ? test : test.skip;

describe(`Rocket.Chat seed (${realMongoUrl === undefined ? 'lab server' : 'real mongod at MONGO_URL'})`, () => {
  let clockMs = new Date('2025-03-01T12:00:00Z').getTime();
  const now = (): Date => new Date(clockMs);
  let server: LabMongoServer | undefined;
  let client: MongoClient;
  let db: Db;
  let seeded: RocketChatSeedResult;

  beforeAll(async () => {
    const dbName = `switchboard_rc_seed_${randomUUID().slice(0, 8)}`;
    let url = realMongoUrl;
    if (url === undefined) {
      server = new LabMongoServer({ now });
      url = (await server.start()).url;
    }
    client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    db = client.db(dbName);
    const options = {
      users: 4,
      now: realMongoUrl === undefined ? now() : new Date(),
      instances: [
        { host: '10.0.0.11', port: 3000 },
        { host: '10.0.0.12', port: 3000 },
        { host: '10.0.0.13', port: 3000, conns: 12 },
      ],
    };
    // The lab is seeded directly, without the wire; a real mongod through the driver.
    seeded = await seedRocketChat(server !== undefined ? server.db(dbName) : db, options);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
    await server?.stop();
  });

  test('license settings read as Rocket.Chat reads them', async () => {
    const settings = db.collection<{ _id: string; value: unknown }>('rocketchat_settings');
    const license = await settings.findOne({ _id: 'Enterprise_License' });
    expect(license).toMatchObject({ value: '', packageValue: '', type: 'string', group: 'Enterprise' });
    const status = await settings.findOne({ _id: 'Enterprise_License_Status' });
    expect(status).toMatchObject({ value: 'Invalid', readonly: true });
    const byId = await settings
      .find({ _id: { $in: ['Site_Url', 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days'] } }, { projection: { value: 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(byId).toEqual([
      { _id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: 0 },
      { _id: 'Site_Url', value: 'https://chat.lab.example' },
    ]);
    for (const setting of await settings.find({}).toArray()) {
      expect(setting).toHaveProperty('_updatedAt');
      expect(setting).toHaveProperty('packageValue');
    }
  });

  test('users are active, typed and with roles', async () => {
    const users = db.collection<{ _id: string }>('users');
    expect(await users.countDocuments({ active: true, type: 'user' })).toBe(4);
    const admins = await users.find({ roles: 'admin' }, { projection: { username: 1 } }).toArray();
    expect(admins).toEqual([{ _id: seeded.userIds[0], username: 'admin' }]);
    expect(seeded.userIds.every((id) => /^[23456789A-HJ-NP-Za-km-z]{17}$/.test(id))).toBe(true);
  });

  test('instances carry Rocket.Chat’s shape and the 60 s TTL index', async () => {
    const instances = db.collection<{ _id: string; _createdAt?: Date }>('instances');
    const all = await instances.find({}, { sort: { 'extraInformation.host': 1 } }).toArray();
    expect(all.map((instance) => instance._id)).toEqual(seeded.instanceIds);
    expect(all[2]).toMatchObject({
      name: 'rocket.chat',
      extraInformation: { host: '10.0.0.13', port: '3000', conns: 12 },
    });
    expect(all[0]!._createdAt).toBeInstanceOf(Date);
    const ttl = (await instances.indexes()).find((index) => index.key._updatedAt === 1);
    expect(ttl?.expireAfterSeconds).toBe(INSTANCE_EXPIRE_SECONDS);
  });

  labOnly('silent nodes expire after 60 s while a heartbeating node stays (lab only: needs the injected clock)', async () => {
    const instances = db.collection<{ _id: string; _updatedAt?: Date }>('instances');
    const [alive] = seeded.instanceIds;
    clockMs += 30_000;
    // Rocket.Chat's heartbeat (InstanceStatus.setDocumentHeartbeat).
    await instances.updateOne({ _id: alive }, { $currentDate: { _updatedAt: true } });
    clockMs += 31_000;
    expect((await instances.find({}).toArray()).map((instance) => instance._id)).toEqual([alive]);
  });
});
