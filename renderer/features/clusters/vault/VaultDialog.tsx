import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useInventory } from '../../../stores/inventory';
import { Dialog } from '../../../ui/Dialog';
import { errorMessage } from '../../../ui/error-message';
import { Field } from '../../../ui/Field';
import { useVaultGate } from './vault-gate';

/** The vault's own rule for a new passphrase (the main process checks it too). */
const MIN_PASSPHRASE = 8;

/** Shown while something asks for the vault: creates it (passphrase twice) or unlocks it. */
export function VaultDialog() {
  const prompt = useVaultGate((s) => s.prompt);
  const vault = useInventory((s) => s.vault);
  if (!prompt || !vault) return null;
  const creating = vault.state === 'absent';
  return <VaultForm creating={creating} reason={prompt.reason} onDone={prompt.settle} />;
}

function VaultForm({ creating, reason, onDone }: { creating: boolean; reason: 'manual' | 'secret-needed'; onDone(unlocked: boolean): void }) {
  const { t } = useTranslation();
  const unlockVault = useInventory((s) => s.unlockVault);
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problems, setProblems] = useState<{ passphrase?: string; repeat?: string }>({});
  const [serverError, setServerError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const check = () => {
    const found: { passphrase?: string; repeat?: string } = {};
    if (creating && passphrase.length < MIN_PASSPHRASE) found.passphrase = t('inventory.vault.tooShort', { min: MIN_PASSPHRASE });
    else if (!creating && passphrase === '') found.passphrase = t('inventory.vault.required');
    if (creating && repeat !== passphrase) found.repeat = t('inventory.vault.mismatch');
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = check();
    setProblems(found);
    setServerError(undefined);
    if (found.passphrase || found.repeat) return;
    setBusy(true);
    try {
      await unlockVault(passphrase);
      onDone(true);
    } catch (error) {
      setServerError(errorMessage(error));
      setBusy(false);
    }
  };

  const title = creating ? t('inventory.vault.createTitle') : t('inventory.vault.unlockTitle');
  return (
    <Dialog title={title} onClose={() => onDone(false)} testId="vault-dialog">
      <form onSubmit={(event) => void submit(event)} noValidate>
        {reason === 'secret-needed' && <p className="dialog-text">{t('inventory.vault.neededForSecret')}</p>}
        <p className="dialog-text muted">{creating ? t('inventory.vault.createHint') : t('inventory.vault.unlockHint')}</p>
        {serverError && (
          <p className="banner banner-error" role="alert" data-testid="vault-error">
            {serverError}
          </p>
        )}
        <div className="dialog-fields">
          <Field label={t('inventory.vault.passphrase')} errors={problems.passphrase ? [problems.passphrase] : undefined}>
            {(control) => (
              <input
                {...control}
                type="password"
                autoComplete={creating ? 'new-password' : 'current-password'}
                autoFocus
                value={passphrase}
                onChange={(event) => setPassphrase(event.target.value)}
              />
            )}
          </Field>
          {creating && (
            <Field label={t('inventory.vault.repeat')} errors={problems.repeat ? [problems.repeat] : undefined}>
              {(control) => (
                <input {...control} type="password" autoComplete="new-password" value={repeat} onChange={(event) => setRepeat(event.target.value)} />
              )}
            </Field>
          )}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onDone(false)}>
            {t('clusters.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {creating ? t('inventory.vault.create') : t('inventory.vault.unlock')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
