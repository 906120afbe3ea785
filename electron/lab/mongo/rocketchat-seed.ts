/**
 * Seeds the Rocket.Chat collections the console reads (FIELD-NOTES §1): `rocketchat_settings`
 * (site URL and license state), `users`, and `instances` with its 60 s TTL index. Documents
 * follow Rocket.Chat 7's shapes (ISetting, IUser, IInstanceStatus). Works on the lab storage
 * directly or, through the official driver, on a real mongod (when MONGO_URL is used).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Document } from 'bson';
import type { Db } from 'mongodb';
import { LabDatabase } from './storage';

export interface RocketChatInstanceSeed {
  host: string;
  /** The node's HTTP port (Rocket.Chat stores it as a string). */
  port: number;
  tcpPort?: number;
  pid?: number;
  nodeVersion?: string;
  conns?: number;
}

export interface RocketChatSeedOptions {
  siteUrl?: string;
  /** `Enterprise_License` value; empty means no license. */
  license?: string;
  licenseStatus?: 'Valid' | 'Invalid';
  airGappedRemainingDays?: number;
  /** How many users to create; the first is the admin. */
  users?: number;
  instances?: RocketChatInstanceSeed[];
  /** Timestamp for every document (use the lab clock so TTL expiry follows it). */
  now?: Date;
}

export interface RocketChatSeedResult {
  userIds: string[];
  instanceIds: string[];
}

/** The `instances` TTL: Rocket.Chat pings every 10 s and expires a node after 60 s of silence. */
export const INSTANCE_EXPIRE_SECONDS = 60;

/** Meteor's Random.id() alphabet and length, which Rocket.Chat uses for user ids. */
const ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
function meteorId(): string {
  return Array.from({ length: 17 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

interface SettingShape {
  type: 'string' | 'int';
  group: string;
  section?: string;
  i18nLabel?: string;
  packageValue: string | number;
  public?: boolean;
  hidden?: boolean;
  readonly?: boolean;
}

function settingDocument(id: string, value: string | number, shape: SettingShape, now: Date): Document & { _id: string } {
  return {
    _id: id,
    createdAt: now,
    _updatedAt: now,
    ts: now,
    type: shape.type,
    public: shape.public ?? false,
    env: false,
    group: shape.group,
    ...(shape.section !== undefined ? { section: shape.section } : {}),
    i18nLabel: shape.i18nLabel ?? id,
    value,
    packageValue: shape.packageValue,
    valueSource: 'packageValue',
    blocked: false,
    hidden: shape.hidden ?? false,
    ...(shape.readonly === true ? { readonly: true } : {}),
    sorter: 0,
  };
}

export async function seedRocketChat(target: LabDatabase | Db, options: RocketChatSeedOptions = {}): Promise<RocketChatSeedResult> {
  const now = options.now ?? new Date();
  const siteUrl = options.siteUrl ?? 'https://chat.lab.example';

  const settings = [
    settingDocument('Site_Url', siteUrl, { type: 'string', group: 'General', packageValue: siteUrl, public: true }, now),
    settingDocument('Enterprise_License', options.license ?? '', {
      type: 'string', group: 'Enterprise', section: 'License', packageValue: '',
    }, now),
    settingDocument('Enterprise_License_Status', options.licenseStatus ?? 'Invalid', {
      type: 'string', group: 'Enterprise', section: 'License', i18nLabel: 'Status', packageValue: 'Invalid', readonly: true,
    }, now),
    settingDocument('Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', options.airGappedRemainingDays ?? 0, {
      type: 'int', group: 'Setup_Wizard', section: 'Cloud_Info', packageValue: -1, hidden: true, readonly: true,
    }, now),
  ];

  const users = Array.from({ length: options.users ?? 5 }, (_, index) => {
    const username = index === 0 ? 'admin' : `user${index}`;
    return {
      _id: meteorId(),
      createdAt: now,
      _updatedAt: now,
      username,
      name: index === 0 ? 'Lab Administrator' : `Lab User ${index}`,
      emails: [{ address: `${username}@lab.example`, verified: true }],
      type: 'user',
      active: true,
      roles: index === 0 ? ['admin', 'user'] : ['user'],
      status: 'offline',
      statusConnection: 'offline',
      utcOffset: 0,
    };
  });

  const instances = (options.instances ?? []).map((node, index) => ({
    _id: randomUUID(),
    _createdAt: now,
    _updatedAt: now,
    name: 'rocket.chat',
    pid: node.pid ?? 1000 + index,
    extraInformation: {
      host: node.host,
      port: String(node.port),
      tcpPort: node.tcpPort ?? 5100 + index,
      nodeVersion: node.nodeVersion ?? 'v20.18.0',
      conns: node.conns ?? 0,
    },
  }));

  if (target instanceof LabDatabase) {
    target.collection('rocketchat_settings').insertMany(settings);
    if (users.length > 0) target.collection('users').insertMany(users);
    const instanceCollection = target.collection('instances');
    instanceCollection.createIndex({ key: { _updatedAt: 1 }, expireAfterSeconds: INSTANCE_EXPIRE_SECONDS });
    if (instances.length > 0) instanceCollection.insertMany(instances);
  } else {
    // Rocket.Chat's ids are strings, not ObjectIds.
    type StringId = { _id: string };
    await target.collection<StringId>('rocketchat_settings').insertMany(settings);
    if (users.length > 0) await target.collection<StringId>('users').insertMany(users);
    const instanceCollection = target.collection<StringId>('instances');
    await instanceCollection.createIndex({ _updatedAt: 1 }, { expireAfterSeconds: INSTANCE_EXPIRE_SECONDS });
    if (instances.length > 0) await instanceCollection.insertMany(instances);
  }
  return { userIds: users.map((user) => user._id), instanceIds: instances.map((instance) => instance._id) };
}
