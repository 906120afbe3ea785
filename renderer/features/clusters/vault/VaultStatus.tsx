import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useInventory } from '../../../stores/inventory';
import { errorMessage } from '../../../ui/error-message';
import { useVaultGate } from './vault-gate';

/** The secret store's state, small, in the Clusters header; lock it, or open it before it is needed. */
export function VaultStatus() {
  const { t } = useTranslation();
  const { vault, refreshVault, lockVault } = useInventory();
  const ask = useVaultGate((s) => s.ask);
  const [error, setError] = useState<string>();

  useEffect(() => {
    refreshVault().catch((failure: unknown) => setError(errorMessage(failure)));
  }, [refreshVault]);

  if (error) return <span className="vault-status vault-status-error">{error}</span>;
  if (!vault) return null;
  if (vault.backend === 'system') {
    return (
      <span className="vault-status" data-testid="vault-status" data-state={vault.state}>
        {t(`inventory.vault.system.${vault.state === 'unavailable' ? 'unavailable' : 'available'}`)}
      </span>
    );
  }
  const act = () => {
    const action = vault.state === 'unlocked' ? lockVault() : ask('manual').then(() => undefined);
    action.catch((failure: unknown) => setError(errorMessage(failure)));
  };
  return (
    <span className="vault-status" data-testid="vault-status" data-state={vault.state}>
      <span className={`vault-dot vault-dot-${vault.state}`} aria-hidden="true" />
      {t(`inventory.vault.state.${vault.state}`)}
      {vault.state !== 'unavailable' && (
        <button type="button" className="button button-small" data-testid="vault-action" onClick={act}>
          {t(`inventory.vault.action.${vault.state}`)}
        </button>
      )}
    </span>
  );
}
