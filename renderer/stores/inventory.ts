import { create } from 'zustand';
import type { SecretStoreStatusResult } from '../../shared/contract';
import type { ClusterSummary } from '../../shared/inventory/schema';
import { api } from '../api/client';
import { errorMessage } from '../ui/error-message';

interface InventoryStore {
  clusters: ClusterSummary[];
  loaded: boolean;
  error: string | undefined;
  /** The secret store behind passwords and tokens; undefined until first asked. */
  vault: SecretStoreStatusResult | undefined;
  load(): Promise<void>;
  refreshVault(): Promise<SecretStoreStatusResult>;
  /** Unlocks the vault, creating it on first use; throws the main process's error (e.g. a wrong passphrase). */
  unlockVault(passphrase: string): Promise<void>;
  lockVault(): Promise<void>;
}

export const useInventory = create<InventoryStore>((set) => ({
  clusters: [],
  loaded: false,
  error: undefined,
  vault: undefined,
  async load() {
    try {
      set({ clusters: await api.inventory.list({}), loaded: true, error: undefined });
    } catch (error) {
      set({ error: errorMessage(error), loaded: true });
    }
  },
  async refreshVault() {
    const vault = await api.inventory.vaultStatus({});
    set({ vault });
    return vault;
  },
  async unlockVault(passphrase) {
    set({ vault: await api.inventory.unlockVault({ passphrase }) });
  },
  async lockVault() {
    set({ vault: await api.inventory.lockVault({}) });
  },
}));

// Saves and deletes from any window, the CLI or an import arrive here with the whole list.
api.events.inventoryChanged(({ clusters }) => useInventory.setState({ clusters, loaded: true, error: undefined }));
