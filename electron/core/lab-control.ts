import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/contract/errors';
import type { LabStatus } from '../../shared/contract/lab';
import type { Cluster } from '../../shared/inventory/schema';
import type { LabHandle } from '../lab/lab';
import type { InventoryStore } from './inventory/store';
import { VaultSecretStore, type SecretStore } from './inventory/secrets';
import type { Logger } from './log/logger';

/** The inventory name of a lab cluster: lab clusters never collide with real ones. */
export const LAB_CLUSTER_PREFIX = 'rehearsal-';

/**
 * Runs the rehearsal lab (a SIMULATION) inside the main process for the app: starts a
 * scenario, adds its clusters to the inventory as `rehearsal-<system>` (simulated, lab
 * environment; their hosts are trusted through the lab's own known_hosts file, which the
 * lab wrote), and removes them again when the lab stops. The lab code is loaded only when
 * a lab starts.
 */
export class LabControl {
  private handle: LabHandle | undefined;
  private status: LabStatus = { running: null };
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      dataDir: string;
      inventory: InventoryStore;
      secrets: SecretStore;
      log: Logger;
      onChange: (status: LabStatus) => void;
    },
  ) {}

  async scenarios() {
    const { scenarios } = await import('../lab/scenarios/index');
    return scenarios.map((s) => ({ name: s.name, description: s.description, variants: s.variants ?? {} }));
  }

  current(): LabStatus {
    return this.status;
  }

  start(input: { scenario: string; variant?: string; timeScale: number }): Promise<LabStatus> {
    return this.serial(async () => {
      if (this.handle) throw new AppError('CONFLICT', `The ${this.handle.scenario} lab is running; stop it first`);
      const { findScenario } = await import('../lab/scenarios/index');
      const scenario = findScenario(input.scenario);
      if (!scenario) throw new AppError('NOT_FOUND', `No lab scenario named "${input.scenario}"`);
      if (input.variant !== undefined && !(input.variant in (scenario.variants ?? {}))) {
        throw new AppError('INVALID_INPUT', `Scenario ${scenario.name} has no variant "${input.variant}"`);
      }
      const { startLab } = await import('../lab/lab');
      const dir = join(this.deps.dataDir, 'lab', new Date().toISOString().replace(/[:.]/g, '-'));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const handle = await startLab({ scenario, dir, timeScale: input.timeScale, ...(input.variant ? { variant: input.variant } : {}) });
      this.handle = handle;
      const warnings: string[] = [];
      const names: string[] = [];
      try {
        await this.removeLabClusters();
        for (const cluster of handle.clusters) {
          const copy = await this.withAppSecrets(asLabCluster(cluster), handle, warnings);
          await this.deps.inventory.save(copy);
          names.push(copy.name);
        }
      } catch (error) {
        this.handle = undefined;
        await handle.stop();
        throw error;
      }
      return this.publish({
        running: {
          scenario: handle.scenario,
          ...(handle.variant ? { variant: handle.variant } : {}),
          timeScale: input.timeScale,
          startedAt: new Date().toISOString(),
          dir: handle.dir,
          clusters: names,
          files: handle.files,
          warnings,
        },
      });
    });
  }

  stop(): Promise<LabStatus> {
    return this.serial(async () => {
      const handle = this.handle;
      this.handle = undefined;
      await this.removeLabClusters();
      await handle?.stop();
      return this.publish({ running: null });
    });
  }

  /** Switches a fault on a host of the running lab (the host's lab name, e.g. `rc2`). */
  async fault(input: { host: string; fault: string; on: boolean }): Promise<{ host: string; fault: string; on: boolean }> {
    if (!this.handle) throw new AppError('NOT_FOUND', 'No lab is running');
    await this.handle.fault(input.host, input.fault, input.on);
    return input;
  }

  /** At start-up: lab clusters left by a run that did not stop (a crash) point at nothing. */
  async cleanUpStale(): Promise<void> {
    await this.removeLabClusters();
  }

  async dispose(): Promise<void> {
    await this.stop().catch((error: unknown) => this.deps.log.warn('lab', 'Stopping the lab failed', { error }));
  }

  private async removeLabClusters(): Promise<void> {
    for (const cluster of await this.deps.inventory.list()) {
      if (cluster.simulated && cluster.name.startsWith(LAB_CLUSTER_PREFIX)) await this.deps.inventory.delete(cluster.name);
    }
  }

  /**
   * The lab keeps its secrets (e.g. the Rocket.Chat admin token) in its own vault; the app
   * needs them in its secret store. When that store is locked, the secret is left out and
   * the admin is told how to get it.
   */
  private async withAppSecrets(cluster: Cluster, handle: LabHandle, warnings: string[]): Promise<Cluster> {
    const token = cluster.rocketchat?.authToken;
    if (!token || !cluster.rocketchat) return cluster;
    const { rocketchat, ...rest } = cluster;
    const { authToken: _dropped, ...withoutToken } = rocketchat;
    if ((await this.deps.secrets.status()).state !== 'unlocked' || !handle.vaultPassphrase) {
      warnings.push(
        `The lab's Rocket.Chat admin token was not stored for ${cluster.name}: unlock the secret store before starting a lab to have it.`,
      );
      return { ...rest, rocketchat: withoutToken };
    }
    const labVault = new VaultSecretStore(handle.dir);
    await labVault.unlock(handle.vaultPassphrase);
    const id = await this.deps.secrets.set(await labVault.get(token.secret));
    return { ...rest, rocketchat: { ...withoutToken, authToken: { secret: id } } };
  }

  private publish(status: LabStatus): LabStatus {
    this.status = status;
    this.deps.onChange(status);
    return status;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.busy.then(work);
    this.busy = run.catch(() => undefined);
    return run;
  }
}

function asLabCluster(cluster: Cluster): Cluster {
  return { ...structuredClone(cluster), name: `${LAB_CLUSTER_PREFIX}${cluster.name}`, environment: 'lab', simulated: true };
}

/** Lab run directories left on disk (for the admin to clean). */
export async function labRunDirs(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'lab')).catch(() => [])).map((name) => join(dataDir, 'lab', name));
}
