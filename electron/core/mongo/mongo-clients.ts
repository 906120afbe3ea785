import { MongoClient, type Db } from 'mongodb';
import { AppError } from '../../../shared/contract/errors';
import type { Cluster } from '../../../shared/inventory/schema';
import type { MongoProbe } from '../../../shared/stacks/profile';
import type { MongoRunner } from '../inspect/engine';
import type { SecretStore } from '../inventory/secrets';
import { sshTargetOf } from '../hosts/ssh-targets';
import { forwardLocalPort, type PortForward } from '../ssh/forward';
import type { SshPool } from '../ssh/pool';

interface Connection {
  /** What the connection was built from; a changed inventory entry reconnects. */
  key: string;
  client: MongoClient;
  db: Db;
  forward?: PortForward;
}

const SERVER_SELECTION_MS = 5_000;

/** The database a MongoDB URL names (Rocket.Chat's default is `rocketchat`). */
export function databaseOf(url: string): string {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(url)?.[1];
  return path ? decodeURIComponent(path) : 'rocketchat';
}

/**
 * One MongoDB client per cluster, reached directly or through an SSH tunnel from one of
 * the cluster's hosts (the pool's port forward). Only the official driver talks to
 * MongoDB, so the same code runs against a real mongod and the lab's.
 */
export class MongoClients implements MongoRunner {
  private readonly connections = new Map<string, Promise<Connection>>();

  constructor(
    private readonly pool: SshPool,
    private readonly secrets: SecretStore,
  ) {}

  async db(cluster: Cluster): Promise<Db> {
    return (await this.connection(cluster)).db;
  }

  async find(cluster: Cluster, probe: MongoProbe, _signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const db = await this.db(cluster);
    try {
      const collection = db.collection(probe.collection);
      if (probe.count) return [{ count: await collection.countDocuments(probe.filter) }];
      const cursor = collection.find(probe.filter, { ...(probe.projection ? { projection: probe.projection } : {}), limit: probe.limit ?? 1000 });
      return (await cursor.toArray()) as Record<string, unknown>[];
    } catch (error) {
      throw new AppError('UNAVAILABLE', `MongoDB query on ${probe.collection} failed: ${(error as Error).message}`);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(async (pending) => closeConnection(await pending.catch(() => undefined))));
  }

  private async connection(cluster: Cluster): Promise<Connection> {
    const settings = cluster.mongo;
    if (!settings?.url) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no MongoDB URL in the inventory`);
    const key = JSON.stringify(settings);
    const existing = this.connections.get(cluster.name);
    if (existing) {
      const connection = await existing.catch(() => undefined);
      if (connection?.key === key) return connection;
      this.connections.delete(cluster.name);
      await closeConnection(connection);
    }
    const pending = this.connect(cluster, key);
    this.connections.set(cluster.name, pending);
    pending.catch(() => this.connections.delete(cluster.name));
    return pending;
  }

  private async connect(cluster: Cluster, key: string): Promise<Connection> {
    const settings = cluster.mongo!;
    let url = new URL(settings.url!);
    let forward: PortForward | undefined;
    if (settings.tunnelVia) {
      const via = cluster.hosts.find((h) => h.name === settings.tunnelVia);
      if (!via) throw new AppError('NOT_FOUND', `MongoDB tunnel host ${settings.tunnelVia} is not in cluster ${cluster.name}`);
      forward = await forwardLocalPort(this.pool, await sshTargetOf(cluster, via, this.secrets), {
        remoteHost: settings.remoteHost ?? url.hostname,
        remotePort: settings.remotePort ?? Number(url.port || 27017),
      });
      url = new URL(url.href);
      url.host = `127.0.0.1:${forward.localPort}`;
      url.searchParams.set('directConnection', 'true');
    }
    const auth = settings.username
      ? { username: settings.username, password: settings.password ? await this.secrets.get(settings.password.secret) : '' }
      : undefined;
    const client = new MongoClient(url.href, { serverSelectionTimeoutMS: SERVER_SELECTION_MS, ...(auth ? { auth } : {}) });
    try {
      await client.connect();
    } catch (error) {
      await forward?.close();
      await client.close().catch(() => undefined);
      throw new AppError('UNAVAILABLE', `Cannot reach MongoDB of ${cluster.name}: ${(error as Error).message}`);
    }
    return { key, client, db: client.db(databaseOf(settings.url!)), ...(forward ? { forward } : {}) };
  }
}

async function closeConnection(connection: Connection | undefined): Promise<void> {
  if (!connection) return;
  await connection.client.close().catch(() => undefined);
  await connection.forward?.close().catch(() => undefined);
}
