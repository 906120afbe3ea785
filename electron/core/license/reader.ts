import type { Db } from 'mongodb';
import { AppError } from '../../../shared/contract/errors';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { rocketchatMongoProbes } from '../../../shared/stacks/profiles/rocketchat';
import type { HostRunner } from '../hosts/host-runner';

/**
 * What the license wizard reads from a Rocket.Chat cluster, live: the settings in MongoDB
 * (the license text stays in this process: only its fingerprint is shown or logged), the
 * active users as Rocket.Chat counts them, and each node's clock.
 */

export interface StoredLicense {
  /** `Enterprise_License`: empty when none is stored. */
  text: string;
  status?: string;
  siteUrl?: string;
  airGappedDays?: number;
}

export const SETTINGS = 'rocketchat_settings';
const LICENSE_SETTINGS = ['Enterprise_License', 'Enterprise_License_Status', 'Site_Url', 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days'];

export function rocketchatNodes(cluster: Cluster): Host[] {
  return cluster.hosts.filter((host) => host.roles.includes('rocketchat'));
}

export async function readStoredLicense(db: Db): Promise<StoredLicense> {
  let documents: { _id: string; value?: unknown }[];
  try {
    documents = await db.collection<{ _id: string; value?: unknown }>(SETTINGS).find({ _id: { $in: LICENSE_SETTINGS } }).toArray();
  } catch (error) {
    throw new AppError('UNAVAILABLE', `Reading the license settings from MongoDB failed: ${(error as Error).message}`);
  }
  if (documents.length === 0) throw new AppError('UNAVAILABLE', 'None of the license settings exist in MongoDB: is this the Rocket.Chat database?');
  const value = (id: string): unknown => documents.find((document) => document._id === id)?.value;
  const stored: StoredLicense = { text: typeof value('Enterprise_License') === 'string' ? (value('Enterprise_License') as string) : '' };
  const status = value('Enterprise_License_Status');
  if (typeof status === 'string' && status !== '') stored.status = status;
  const siteUrl = value('Site_Url');
  if (typeof siteUrl === 'string') stored.siteUrl = siteUrl;
  const days = Number(value('Cloud_Workspace_AirGapped_Restrictions_Remaining_Days'));
  if (value('Cloud_Workspace_AirGapped_Restrictions_Remaining_Days') !== undefined && Number.isFinite(days)) stored.airGappedDays = days;
  return stored;
}

export async function countActiveUsers(db: Db): Promise<number> {
  return db.collection('users').countDocuments(rocketchatMongoProbes.activeUsers.filter);
}

/** Replaces `Enterprise_License`; refuses a database without the setting rather than create one. */
export async function writeStoredLicense(db: Db, text: string): Promise<void> {
  const result = await db.collection<{ _id: string }>(SETTINGS).updateOne({ _id: 'Enterprise_License' }, { $set: { value: text }, $currentDate: { _updatedAt: true } });
  if (result.matchedCount !== 1) throw new AppError('NOT_FOUND', 'The setting Enterprise_License does not exist in MongoDB: is this the Rocket.Chat database?');
}

/**
 * Each node's clock (`date +%s`), compared at the middle of the SSH round trip; NaN for a node
 * that did not answer, so the checks call it out instead of guessing.
 */
export async function readNodeClocks(runner: HostRunner, cluster: Cluster, nodes: readonly Host[], now: () => number = Date.now): Promise<{ node: string; epochSeconds: number }[]> {
  return Promise.all(
    nodes.map(async (host) => {
      const sent = now();
      try {
        const result = await runner.run(cluster, host, ['date', '+%s'], { timeoutMs: 15_000 });
        const seconds = Number(result.stdout.trim());
        if (result.exitCode !== 0 || !Number.isInteger(seconds)) return { node: host.name, epochSeconds: Number.NaN };
        // The node read its clock somewhere in the round trip: shift it to the moment the checks use.
        const middle = (sent + now()) / 2;
        return { node: host.name, epochSeconds: seconds + (now() - middle) / 1000 };
      } catch {
        return { node: host.name, epochSeconds: Number.NaN };
      }
    }),
  );
}
