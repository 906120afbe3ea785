import { userInfo } from 'node:os';
import { AppError, calls } from '../../shared/contract';
import { allProfiles, profileVersionOf } from '../../shared/stacks/catalog';
import { LICENSE_PLAN_KIND } from '../../shared/license/plan';
import { Dispatcher, type Handlers } from './rpc/dispatcher';
import { EventHub } from './rpc/event-hub';
import { SettingsStore } from './settings/settings-store';
import { AuditLog } from './audit/audit-log';
import { InventoryStore } from './inventory/store';
import { EncryptedSecretStore, VaultSecretStore, type PlatformCipher, type SecretStore } from './inventory/secrets';
import { InventoryService, inventoryChangedPayload } from './inventory/service';
import { createSshLayer } from './ssh/layer';
import { PoolHostRunner } from './hosts/pool-runner';
import { MongoClients } from './mongo/mongo-clients';
import { InspectEngine } from './inspect/engine';
import { InspectService } from './inspect/service';
import { OperationEngine, operationsDir } from './ops/engine';
import { opsHandlers } from './ops/handlers';
import { MongoClusterLock } from './ops/mongo-lock';
import type { ClusterLock } from './ops/locks';
import { restartKinds } from './restart/kinds';
import { RestartService } from './restart/service';
import { rollbackKinds } from './rollback/kinds';
import { RollbackService } from './rollback/service';
import { rollbackFindingSource } from './rollback/findings';
import { rollbackOutcomeAuditor } from './rollback/outcome';
import { ROLLBACK_PLAN_KIND } from '../../shared/rollback/planner';
import { licenseParts } from './license/parts';
import { LicenseService } from './license/service';
import { outcomeAudit } from './ops/outcome-audit';
import { LabControl } from './lab-control';
import type { Logger } from './log/logger';
import { appVersion } from './version';

export interface CoreOptions {
  dataDir: string;
  host: 'electron' | 'browser';
  log: Logger;
  /**
   * The platform's secret encryption (Electron safeStorage). Without it, secrets live in
   * a passphrase-protected vault (CLI and browser mode).
   */
  cipher?: PlatformCipher;
  /** Whose ~/.ssh to read (known_hosts, default keys); tests point it at a temporary home. */
  homeDir?: string;
}

function actorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Builds every service once and wires them to the contract. The Electron window,
 * browser mode and tests all talk to the same core through `dispatcher` and `events`.
 */
export async function createCore(options: CoreOptions) {
  const { dataDir, log } = options;
  const events = new EventHub();
  const settings = new SettingsStore(dataDir, log);
  const audit = new AuditLog(dataDir, { onAppend: (entry) => events.emit('auditAppended', entry) });
  const secrets: SecretStore = options.cipher ? new EncryptedSecretStore(dataDir, options.cipher) : new VaultSecretStore(dataDir);
  const inventoryStore = new InventoryStore(dataDir, {
    onChange: (change, inventory) => events.emit('inventoryChanged', inventoryChangedPayload(change, inventory)),
  });
  const inventory = new InventoryService({ store: inventoryStore, secrets, log });

  // The app never accepts a host key on its own: unknown keys wait for the admin.
  const ssh = createSshLayer({ dataDir, hostKeyMode: 'ask', audit, ...(options.homeDir ? { homeDir: options.homeDir } : {}) });
  const stopSshEvents = ssh.service.subscribe((event, payload) => events.emit(event, payload));
  const runner = new PoolHostRunner(ssh.pool, secrets, options.homeDir);
  const mongo = new MongoClients(ssh.pool, secrets);
  const inspectEngine = new InspectEngine({
    runner,
    mongo,
    profiles: allProfiles,
    log,
    // Rollbacks undone by their health gate, from the operations' journals (`ops` is built below).
    findingSources: [rollbackFindingSource({ list: (filter) => ops.list(filter), get: (opId) => ops.get(opId) })],
  });
  const inspect = new InspectService({
    engine: inspectEngine,
    clusters: async () => (await inventoryStore.inventory()).clusters,
    events,
    log,
    versionOf: profileVersionOf,
  });

  inspect.setInterval((await settings.get()).inspectIntervalSeconds);

  const lab = new LabControl({ dataDir, inventory: inventoryStore, secrets, log, onChange: (status) => events.emit('labChanged', status) });
  await lab.cleanUpStale();

  const clusterNamed = async (name: string) => {
    const cluster = (await inventoryStore.inventory()).clusters.find((c) => c.name === name);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
    return cluster;
  };
  // Features (restart, license, rollback) register their executors and checks as they land.
  const restartKindSet = restartKinds({ runner, cluster: clusterNamed, mongo: (cluster) => mongo.db(cluster) });
  const rollbackKindSet = rollbackKinds({ runner, cluster: clusterNamed });
  const licensing = licenseParts({ dataDir, runner, secrets, mongo, inspect: inspectEngine, cluster: clusterNamed });
  const licenseKindSet = licensing.kinds;
  const ops: OperationEngine = new OperationEngine({
    dir: operationsDir(dataDir),
    executors: { ...restartKindSet.executors, ...rollbackKindSet.executors, ...licenseKindSet.executors },
    checks: { ...restartKindSet.checks, ...rollbackKindSet.checks, ...licenseKindSet.checks },
    log,
    actor: actorName(),
    emit: (event, payload) => events.emit(event, payload),
    extraLocks: (name) => mongoLocks(name),
    // Outcomes are audited from the journal, so an operation resumed after a restart gets one too.
    onRecord: outcomeAudit({ get: (opId) => ops.get(opId), append: (entry) => audit.append(entry), log }, { [LICENSE_PLAN_KIND]: (state) => license.outcomeAuditor(state), [ROLLBACK_PLAN_KIND]: rollbackOutcomeAuditor }),
  });
  await ops.recover();

  /** The lock in the cluster's own MongoDB, when it has one and it answers now (another laptop sees it). */
  async function mongoLocks(name: string): Promise<ClusterLock[]> {
    const cluster = await clusterNamed(name).catch(() => undefined);
    if (!cluster?.mongo?.url) return [];
    try {
      return [new MongoClusterLock(await mongo.db(cluster), name, { label: cluster.name })];
    } catch (error) {
      log.warn('ops', 'MongoDB not reachable; only the local lock is taken', { cluster: name, error });
      return [];
    }
  }

  const restart = new RestartService({
    clusters: async () => (await inventoryStore.inventory()).clusters,
    snapshot: async (cluster) => (await inspectEngine.inspect(cluster)).snapshot,
    engine: ops,
    audit,
  });

  const rollback = new RollbackService({
    clusters: async () => (await inventoryStore.inventory()).clusters,
    runner,
    engine: ops,
    audit,
  });

  const license = new LicenseService({
    clusters: async () => (await inventoryStore.inventory()).clusters,
    runner,
    db: licensing.db,
    engine: ops,
    files: licensing.files,
    verifier: licensing.verifier,
    audit,
  });

  const handlers: Handlers<typeof calls> = {
    app: {
      info: () => ({
        name: 'Switchboard',
        version: appVersion,
        host: options.host,
        platform: process.platform,
        dataDir,
      }),
    },
    settings: {
      get: () => settings.get(),
      update: async (patch) => {
        const next = await settings.update(patch);
        events.emit('settingsChanged', next);
        return next;
      },
    },
    audit: {
      list: (query) => audit.list(query),
    },
    inventory: {
      list: () => inventory.list(),
      get: (input) => inventory.get(input),
      save: (input) => inventory.save(input),
      duplicate: (input) => inventory.duplicate(input),
      delete: (input) => inventory.delete(input),
      importPreview: (input) => inventory.importPreview(input),
      setSecret: (input) => inventory.setSecret(input),
      vaultStatus: () => inventory.vaultStatus(),
      unlockVault: (input) => inventory.unlockVault(input),
      lockVault: () => inventory.lockVault(),
    },
    ...ssh.service.handlers(),
    inspect: {
      refresh: ({ cluster }) => inspect.refresh(cluster),
      state: ({ cluster }) => inspect.state(cluster),
      host: ({ cluster, host }) => inspect.host(cluster, host),
      logs: ({ cluster, host }) => inspect.logs(cluster, host),
      setInterval: async ({ seconds }) => {
        // Kept in the settings, so every window shows it and the next start resumes it.
        events.emit('settingsChanged', await settings.update({ inspectIntervalSeconds: seconds }));
        return inspect.setInterval(seconds);
      },
    },
    ops: opsHandlers(ops),
    restart: {
      plan: ({ cluster, policy }) => restart.plan(cluster, policy),
      start: ({ cluster, policy, confirmName }) => restart.start(cluster, policy, confirmName),
    },
    rollback: {
      inspect: ({ cluster, host }) => rollback.inspect(cluster, host),
      setRestartAlways: ({ cluster, host }) => rollback.setRestartAlways(cluster, host),
      start: (input) => rollback.start(input),
    },
    license: {
      check: ({ cluster, text }) => license.check(cluster, text),
      apply: (input) => license.apply(input),
      verify: ({ cluster, fingerprint }) => license.verify(cluster, fingerprint),
      backups: ({ cluster }) => license.backups(cluster),
      revert: (input) => license.revert(input),
    },
    lab: {
      scenarios: () => lab.scenarios(),
      status: () => lab.current(),
      start: (input) => lab.start(input),
      stop: () => lab.stop(),
      fault: (input) => lab.fault(input),
    },
  };

  const dispatcher = new Dispatcher(calls, handlers, log);
  return {
    dispatcher,
    events,
    audit,
    inventory: inventoryStore,
    secrets,
    ssh,
    ops,
    lab,
    async dispose(): Promise<void> {
      inspect.dispose();
      await lab.dispose();
      stopSshEvents();
      await ops.dispose();
      await mongo.closeAll();
      ssh.close();
    },
  };
}

export type Core = Awaited<ReturnType<typeof createCore>>;
