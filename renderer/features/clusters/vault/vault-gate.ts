import { create } from 'zustand';
import { useInventory } from '../../../stores/inventory';

/** Why the vault dialog is open: the admin asked, or a save needs to store a secret. */
export type VaultPromptReason = 'manual' | 'secret-needed';

interface VaultGate {
  prompt: { reason: VaultPromptReason; settle(unlocked: boolean): void } | undefined;
  /** Opens the vault dialog; resolves true once the vault is unlocked, false if the admin cancels. */
  ask(reason: VaultPromptReason): Promise<boolean>;
}

export const useVaultGate = create<VaultGate>((set, get) => ({
  prompt: undefined,
  ask(reason) {
    get().prompt?.settle(false);
    return new Promise<boolean>((resolve) => {
      set({
        prompt: {
          reason,
          settle(unlocked) {
            set({ prompt: undefined });
            resolve(unlocked);
          },
        },
      });
    });
  },
}));

export type SecretStoreReadiness = 'ready' | 'cancelled' | 'unavailable';

/**
 * Before a call that stores a secret: whether the secret store can take it now,
 * after asking the admin to create or unlock the vault if needed.
 */
export async function ensureSecretStoreReady(): Promise<SecretStoreReadiness> {
  const status = await useInventory.getState().refreshVault();
  if (status.state === 'unlocked') return 'ready';
  if (status.state === 'unavailable') return 'unavailable';
  return (await useVaultGate.getState().ask('secret-needed')) ? 'ready' : 'cancelled';
}
