import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import type { inventoryCalls, inventoryEvents } from '../../../shared/contract/inventory';
import type { ImportProposal } from '../../../shared/inventory/import-proposal';
import {
  collectSecretIds,
  summarizeCluster,
  type Cluster,
  type ClusterSummary,
  type Inventory,
  type SecretRef,
} from '../../../shared/inventory/schema';
import type { Logger } from '../log/logger';
import { parseInventory } from './inventory-yaml';
import { importAnsible, importAnsibleFile } from './import/ansible';
import { detectInventoryFormat } from './import/detect';
import { expandHome, finishProposal, resolveImportOptions, type ImportOptions } from './import/proposal';
import { importSshConfig, importSshConfigFile } from './import/ssh-config';
import { isLockable, type SecretStore, type SecretStoreStatus } from './secrets';
import type { InventoryChange, InventoryStore } from './store';

type Input<K extends keyof typeof inventoryCalls> = z.output<(typeof inventoryCalls)[K]['input']>;
export type InventoryChangedPayload = z.input<(typeof inventoryEvents)['inventoryChanged']['payload']>;

/** The `inventoryChanged` event for a change the store reports through its `onChange`. */
export function inventoryChangedPayload(change: InventoryChange, inventory: Inventory): InventoryChangedPayload {
  return { change, clusters: inventory.clusters.map(summarizeCluster) };
}

export interface InventoryServiceOptions {
  store: InventoryStore;
  secrets: SecretStore;
  log: Logger;
  /** Home directory and local user for imports (defaults: the current user's). */
  importDefaults?: Pick<ImportOptions, 'home' | 'localUser'>;
}

/**
 * The inventory behind the contract's `inventory.*` calls: one method per call, same
 * names, inputs already validated by the dispatcher. Secrets that no cluster refers to
 * any more after a save or delete are removed from the secret store.
 */
export class InventoryService {
  constructor(private readonly options: InventoryServiceOptions) {}

  async list(): Promise<ClusterSummary[]> {
    return (await this.options.store.list()).map(summarizeCluster);
  }

  get(input: Input<'get'>): Promise<Cluster> {
    return this.options.store.get(input.name);
  }

  async save(input: Input<'save'>): Promise<Cluster> {
    const before = input.previousName !== undefined ? await this.options.store.get(input.previousName) : undefined;
    const saved = await this.options.store.save(input.cluster, input.previousName);
    if (before) await this.pruneSecrets(before);
    return saved;
  }

  duplicate(input: Input<'duplicate'>): Promise<Cluster> {
    return this.options.store.duplicate(input.name, input.newName);
  }

  async delete(input: Input<'delete'>): Promise<{ name: string }> {
    const removed = await this.options.store.delete(input.name);
    await this.pruneSecrets(removed);
    return { name: removed.name };
  }

  async importPreview(input: Input<'importPreview'>): Promise<ImportProposal> {
    const options: ImportOptions = { ...this.options.importDefaults };
    if (input.clusterName !== undefined) options.clusterName = input.clusterName;
    if (input.environment !== undefined) options.environment = input.environment;
    const home = resolveImportOptions(options, '').home;
    const path = input.path !== undefined ? expandHome(input.path, home) : undefined;

    if (input.format === 'ssh-config') {
      return input.text !== undefined ? importSshConfig(input.text, options) : importSshConfigFile(path, options);
    }
    if (input.text === undefined && path === undefined) {
      throw new AppError('INVALID_INPUT', 'Give the inventory as text or as a file path');
    }
    const text = input.text ?? (await readText(path ?? ''));
    const format = detectInventoryFormat(text);
    if (input.format === 'ansible' && format !== 'ansible-ini' && format !== 'ansible-yaml') {
      throw new AppError('INVALID_INPUT', `This is not an Ansible inventory (it looks like ${format})`);
    }
    switch (format) {
      case 'ssh-config':
        return importSshConfig(text, options);
      case 'switchboard':
        return this.switchboardProposal(text, options);
      default:
        return path !== undefined ? importAnsibleFile(path, text, format, options) : importAnsible(text, format, options);
    }
  }

  async setSecret(input: Input<'setSecret'>): Promise<SecretRef> {
    return { secret: await this.options.secrets.set(input.value) };
  }

  vaultStatus(): Promise<SecretStoreStatus> {
    return this.options.secrets.status();
  }

  async unlockVault(input: Input<'unlockVault'>): Promise<SecretStoreStatus> {
    const store = this.options.secrets;
    if (!isLockable(store)) throw new AppError('INVALID_INPUT', 'This app keeps secrets in the system secret store, which has no passphrase');
    await store.unlock(input.passphrase);
    return store.status();
  }

  async lockVault(): Promise<SecretStoreStatus> {
    const store = this.options.secrets;
    if (isLockable(store)) store.lock();
    return store.status();
  }

  /** A Switchboard inventory file with a single cluster can be imported like the other formats. */
  private switchboardProposal(text: string, options: ImportOptions): ImportProposal {
    const { clusters } = parseInventory(text, 'the Switchboard inventory');
    const [only] = clusters;
    if (!only || clusters.length > 1) {
      throw new AppError('INVALID_INPUT', `This Switchboard inventory holds ${clusters.length} clusters; a preview imports exactly one`);
    }
    const cluster = options.clusterName !== undefined ? { ...only, name: options.clusterName } : only;
    return finishProposal('switchboard', cluster, []);
  }

  private async pruneSecrets(before: Cluster): Promise<void> {
    const stillUsed = collectSecretIds(await this.options.store.list());
    for (const id of collectSecretIds([before])) {
      if (stillUsed.has(id)) continue;
      try {
        await this.options.secrets.delete(id);
      } catch (error) {
        this.options.log.warn('inventory', 'Could not remove a secret no cluster uses any more', { id, error: (error as Error).message });
      }
    }
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('NOT_FOUND', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
