import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../../shared/inventory/schema';
import { PoolHostRunner } from '../core/hosts/pool-runner';
import { VaultSecretStore } from '../core/inventory/secrets';
import { MongoClients } from '../core/mongo/mongo-clients';
import { startLab, type LabHandle } from '../lab/lab';
import { createPoolFixture, type PoolFixture } from './ssh-pool-fixture';

/**
 * A lab scenario (a SIMULATION) reached the way the app reaches real hosts: a strict SSH pool
 * (the lab's known_hosts), the lab's vault for secrets, one HostRunner and MongoDB clients.
 * For tests of features that drive the lab through the engine.
 */
export interface LabRig {
  /** A private temp directory: the lab runs in `dir/lab`; tests keep their own files beside it. */
  dir: string;
  lab: LabHandle;
  fixture: PoolFixture;
  secrets: VaultSecretStore;
  runner: PoolHostRunner;
  mongo: MongoClients;
  /** The lab's cluster of this name (the executors' `cluster` lookup). */
  cluster(name: string): Promise<Cluster>;
  close(): Promise<void>;
}

export async function openLabRig(scenario: string, options: { variant?: string; timeScale?: number } = {}): Promise<LabRig> {
  const dir = mkdtempSync(join(tmpdir(), `sb-${scenario}-`));
  const lab = await startLab({ scenario, ...(options.variant ? { variant: options.variant } : {}), timeScale: options.timeScale ?? 0.01, dir: join(dir, 'lab') });
  const fixture = await createPoolFixture({ policy: 'strict' });
  const secrets = new VaultSecretStore(join(dir, 'lab'));
  if (lab.vaultPassphrase) await secrets.unlock(lab.vaultPassphrase);
  const runner = new PoolHostRunner(fixture.pool, secrets);
  const mongo = new MongoClients(fixture.pool, secrets);
  return {
    dir,
    lab,
    fixture,
    secrets,
    runner,
    mongo,
    cluster: async (name) => {
      const found = lab.clusters.find((c) => c.name === name);
      if (!found) throw new Error(`the ${scenario} lab has no cluster "${name}"`);
      return found;
    },
    close: async () => {
      await mongo.closeAll();
      await fixture.close();
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
