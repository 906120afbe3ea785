import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { ClusterForm, HostForm } from '../../../../shared/inventory/schema';
import type { HttpEndpoints } from '../../host/endpoints';
import type { LabHost } from '../../host/lab-host';
import { LabLicenseIssuer } from '../../license/issuer';
import { SAMPLE_LICENSE_NAMES, sampleLicenses, writeSampleLicenses } from '../../license/samples';
import { seedRocketChat } from '../../mongo/rocketchat-seed';
import type { LabContext, LabSystem } from '../../scenario';
import { HaproxySimulator } from './haproxy';
import { createLabHost, inventoryHost } from './hosts';
import { installMongod } from './mongod';
import { hashLoginToken, RocketChatNode, ROCKETCHAT_PORT, type RunAs } from './node';
import { installPresence } from './presence';
import { labWaitFor } from './wait';

export { HaproxySimulator } from './haproxy';
export { RocketChatNode } from './node';

/**
 * A Rocket.Chat 7 cluster in the lab (FIELD-NOTES §1): N app nodes (`rc1`..), HAProxy in front
 * (`haproxy`), one MongoDB (`mongodb`, the lab MongoDB behind a `mongod` unit), and presence
 * containers next to the first nodes. A SIMULATION: the nodes speak Rocket.Chat's HTTP API and
 * write Rocket.Chat's documents, but no Rocket.Chat code runs.
 */

export interface RocketChatSystemOptions {
  /** App nodes (default 4). */
  nodes?: number;
  /** Rocket.Chat version (default 7.0.0, the incident's 7.0). */
  version?: string;
  /** systemd unit `rocketchat` (default) or a Docker container `rocketchat`. */
  runAs?: RunAs;
  siteUrl?: string;
  /** What `Enterprise_License` holds at the start. */
  license: 'none' | 'valid';
  /** Days left on the air-gap countdown (0: read-only without a valid license). */
  airGapDaysLeft?: number;
  /** Active users seeded (license limits count them); the first is the admin. */
  activeUsers?: number;
  /** Restart every node once the lab is up: each comes back deciding read-only on its own. */
  restartNodesAtStart?: boolean;
  /** Image tags of the presence containers (one per node, from rc1). */
  presenceTags?: string[];
  /** Write `licenses/{valid,expired,wrong-site,over-limit,truncated}.lic` into the run directory. */
  writeLicenseSamples?: boolean;
  /** How long the hosts and services have been up at the start (default 3 days). */
  uptimeMs?: number;
}

export interface RocketChatAdmin {
  username: string;
  userId: string;
  /** A personal access token of the admin (the lab's secret; the inventory refers to it by id). */
  authToken: string;
}

export interface RocketChatLabSystem extends LabSystem {
  kind: 'rocketchat';
  nodes: RocketChatNode[];
  haproxy: HaproxySimulator;
  issuer: LabLicenseIssuer;
  admin: RocketChatAdmin;
  siteUrl: string;
  /** The workspace database's URL (with the database name). */
  mongoUrl: string;
  /** Secret values by the id the inventory uses for them; the lab stores them in its vault. */
  secrets: Record<string, string>;
}

export function isRocketChatSystem(system: LabSystem | undefined): system is RocketChatLabSystem {
  return (system as Partial<RocketChatLabSystem> | undefined)?.kind === 'rocketchat';
}

export const ROCKETCHAT_SITE_URL = 'https://chat.lab.example';
export const ADMIN_TOKEN_SECRET = 'lab-rocketchat-admin-token';
const DATABASE = 'rocketchat';
const DAY_MS = 86_400_000;

/** The address each host has "on the cluster network" (HAProxy's server lines, INSTANCE_IP). */
const nodeAddress = (index: number): string => `10.10.0.${11 + index}`;

export async function buildRocketChatSystem(context: LabContext, options: RocketChatSystemOptions): Promise<RocketChatLabSystem> {
  const nodeCount = options.nodes ?? 4;
  const version = options.version ?? '7.0.0';
  const runAs = options.runAs ?? 'systemd';
  const siteUrl = options.siteUrl ?? ROCKETCHAT_SITE_URL;
  const activeUsers = options.activeUsers ?? 42;
  const uptimeMs = options.uptimeMs ?? 3 * DAY_MS;
  const sinceMs = context.clock.now() - uptimeMs + 120_000;

  const mongo = await context.mongo();
  const mongoUrl = withDatabase(mongo.url, DATABASE);
  const issuer = await LabLicenseIssuer.loadOrCreate(join(context.dir, 'license-signing-key.pem'));
  const licenseSamples = { issuer, siteUrl, activeUsers, now: new Date(context.clock.now()) };
  const license = options.license === 'valid' ? sampleLicenses(licenseSamples).valid : '';
  const files: string[] = [];
  if (options.writeLicenseSamples) {
    await writeSampleLicenses(join(context.dir, 'licenses'), licenseSamples);
    files.push(...SAMPLE_LICENSE_NAMES.map((name) => `licenses/${name}.lic`));
  }
  const admin = await seedWorkspace(mongoUrl, {
    siteUrl,
    license,
    licenseStatus: options.license === 'valid' ? 'Valid' : 'Invalid',
    airGappedRemainingDays: options.license === 'valid' ? -1 : Math.max(0, options.airGapDaysLeft ?? 0),
    users: activeUsers,
  });

  const workspace = { issuer, siteUrl, version, mongoUrl, airGapDaysLeft: options.airGapDaysLeft ?? 0 };
  const nodes = Array.from({ length: nodeCount }, (_, index) => {
    const host = createLabHost(context, { name: `rc${index + 1}`, uptimeMs, systemUsers: [{ name: 'rocketchat', uid: 997 }] });
    const node = new RocketChatNode({ host, workspace, instanceIp: nodeAddress(index), runAs });
    node.install(sinceMs);
    return node;
  });
  const presenceTags = options.presenceTags ?? [];
  presenceTags.forEach((tag, index) => {
    const node = nodes[index];
    if (node) installPresence({ host: node.host, name: `presence-${index + 1}`, tag, mongoUrl, sinceMs });
  });

  const haproxyHost = createLabHost(context, { name: 'haproxy', uptimeMs, groups: ['haproxy'], systemUsers: [{ name: 'haproxy', uid: 108 }] });
  const haproxy = new HaproxySimulator({
    host: haproxyHost,
    servers: nodes.map((node) => ({ name: node.name, address: node.instanceIp, port: node.port, endpoints: () => node.host.http })),
  });
  haproxy.install(sinceMs - 60_000);

  const mongoHost = createLabHost(context, { name: 'mongodb', uptimeMs, systemUsers: [{ name: 'mongodb', uid: 105 }] });
  installMongod(mongoHost, mongo.server, mongo.server.listening?.port ?? 0, sinceMs - 120_000);

  const hosts: LabHost[] = [...nodes.map((node) => node.host), haproxyHost, mongoHost];
  connectNetwork([
    ...nodes.map((node) => ({ names: [node.name, node.instanceIp], endpoints: node.host.http })),
    { names: ['haproxy', '10.10.0.10'], endpoints: haproxyHost.http },
    { names: ['mongodb', '10.10.0.20'], endpoints: mongoHost.http },
  ], hosts);

  const nodeEntry = (node: RocketChatNode, index: number): HostForm => {
    const presence = presenceTags[index] !== undefined;
    return inventoryHost(context, {
      name: node.name,
      roles: presence ? ['rocketchat', 'presence'] : ['rocketchat'],
      services: [
        runAs === 'docker' ? { name: 'rocketchat', kind: 'docker', container: 'rocketchat' } : { name: 'rocketchat', kind: 'systemd', unit: 'rocketchat' },
        ...(presence ? [{ name: 'presence', kind: 'docker' as const, container: `presence-${index + 1}` }] : []),
      ],
      labels: {
        'rocketchat.instanceHost': node.instanceIp,
        ...(node.port === ROCKETCHAT_PORT ? {} : { 'rocketchat.port': String(node.port) }),
      },
    });
  };
  const cluster: ClusterForm = {
    name: 'rocketchat',
    environment: 'lab',
    simulated: true,
    stacks: presenceTags.length > 0 ? ['generic', 'rocketchat', 'presence'] : ['generic', 'rocketchat'],
    mongo: { url: mongoUrl },
    rocketchat: { adminUser: admin.username, adminUserId: admin.userId, authToken: { secret: ADMIN_TOKEN_SECRET }, siteUrl },
    hosts: [
      ...nodes.map(nodeEntry),
      inventoryHost(context, { name: 'haproxy', roles: ['haproxy'], services: [{ name: 'haproxy', kind: 'systemd', unit: 'haproxy' }] }),
      inventoryHost(context, { name: 'mongodb', roles: ['mongodb'], services: [{ name: 'mongodb', kind: 'systemd', unit: 'mongod' }] }),
    ],
  };

  const allUp = (): boolean => Object.values(haproxy.serverStatus()).every((status) => status === 'UP');
  return {
    kind: 'rocketchat',
    cluster,
    hosts,
    files,
    nodes,
    haproxy,
    issuer,
    admin,
    siteUrl,
    mongoUrl,
    secrets: { [ADMIN_TOKEN_SECRET]: admin.authToken },
    async started() {
      await labWaitFor(context.clock, 'the Rocket.Chat nodes to come up', () => nodes.every((node) => node.ready));
      if (options.restartNodesAtStart) {
        // The incident: the whole cluster came back from a restart.
        await Promise.all(nodes.map((node) => restartNode(node)));
        await labWaitFor(context.clock, 'the Rocket.Chat nodes to come back', () => nodes.every((node) => node.ready));
      }
      await labWaitFor(context.clock, 'HAProxy to see every node UP', allUp);
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.close()));
    },
  };
}

/** `systemctl restart rocketchat` or `docker restart rocketchat`, as the admin would. */
async function restartNode(node: RocketChatNode): Promise<void> {
  if (node.runAs === 'docker') {
    const container = node.host.containers.find('rocketchat');
    if (container) await node.host.containers.restart(container);
  } else {
    await node.host.services.restart('rocketchat');
  }
}

/** Every host resolves the others by name and cluster address (`curl http://rc2:3000/health`). */
function connectNetwork(entries: Array<{ names: string[]; endpoints: HttpEndpoints }>, hosts: LabHost[]): void {
  const byName = new Map(entries.flatMap((entry) => entry.names.map((name) => [name, entry.endpoints] as const)));
  for (const host of hosts) host.network.setResolver((name) => byName.get(name));
}

/** The same server with a database in the path (`mongodb://h:p/rocketchat?directConnection=true`). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function seedWorkspace(
  mongoUrl: string,
  seed: { siteUrl: string; license: string; licenseStatus: 'Valid' | 'Invalid'; airGappedRemainingDays: number; users: number },
): Promise<RocketChatAdmin> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  try {
    const db = client.db();
    const seeded = await seedRocketChat(db, seed);
    const userId = seeded.userIds[0]!;
    // A personal access token, stored hashed as Rocket.Chat stores login tokens.
    const authToken = randomBytes(32).toString('base64url');
    await db.collection<{ _id: string }>('users').updateOne(
      { _id: userId },
      {
        $set: {
          'services.resume.loginTokens': [
            { when: new Date(), hashedToken: hashLoginToken(authToken), type: 'personalAccessToken', name: 'switchboard-lab', bypassTwoFactor: true },
          ],
        },
      },
    );
    return { username: 'admin', userId, authToken };
  } finally {
    await client.close();
  }
}
