import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useSsh } from '../../stores/ssh';
import { Dialog } from '../../ui/Dialog';
import { errorMessage } from '../../ui/error-message';
import { Field } from '../../ui/Field';
import { Fingerprint } from './Fingerprint';
import { CONFIRM_LENGTH, confirmationTail, hostKeyFileFor } from './fingerprint';
import { hostPort, type HostKeyReplacement } from './host-key-change';
import { PublicKeyField } from './PublicKeyField';
import { usePastedKey } from './use-public-key';

export interface ReplaceHostKeyDialogProps extends HostKeyReplacement {
  onClose(): void;
  /** Called with the fingerprint now trusted. */
  onReplaced?(fingerprint: string): void;
}

/**
 * The only way a changed host key becomes trusted: both fingerprints side by side, a
 * warning that this may be an attack, and the new fingerprint's last characters typed
 * before `hostKeys.replace` is called with exactly the fingerprint shown. Without
 * `publicKey` the admin pastes the host's public key, which must have that fingerprint.
 */
export function ReplaceHostKeyDialog(props: ReplaceHostKeyDialogProps) {
  const { host, port, keyType, fingerprint, knownFingerprint, publicKey, onClose, onReplaced } = props;
  const { t } = useTranslation();
  const replaced = useSsh((s) => s.replaced);
  const [pastedText, setPastedText] = useState('');
  const pasted = usePastedKey(pastedText);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const target = hostPort(host, port);
  const known = typeof knownFingerprint === 'string' ? [knownFingerprint] : knownFingerprint;
  const key = publicKey !== undefined ? { keyType, publicKey } : pasted.state === 'ok' && pasted.fingerprint === fingerprint ? pasted.key : undefined;
  const confirmed = typed.trim() === confirmationTail(fingerprint);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!key || !confirmed) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.hostKeys.replace({ host, port, keyType: key.keyType, publicKey: key.publicKey, fingerprint });
      replaced(host, port);
      setDone(result.fingerprint);
      onReplaced?.(result.fingerprint);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('ssh.replace.title', { target })} onClose={onClose} wide testId="replace-host-key-dialog">
      {done ? (
        <>
          <p className="banner" role="status" data-testid="replace-done">
            {t('ssh.replace.done', { target })} <Fingerprint value={done} />
          </p>
          <div className="dialog-actions">
            <button type="button" className="button button-primary" autoFocus onClick={onClose}>
              {t('ssh.close')}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <div className="banner banner-error ssh-attack-warning" role="note">
            <p className="banner-title">{t('ssh.replace.warningTitle')}</p>
            <p>
              <Trans i18nKey="ssh.replace.warning" values={{ command: `ssh-keygen -lf ${hostKeyFileFor(keyType)}` }} components={{ code: <code /> }} />
            </p>
          </div>
          <div className="ssh-compare" data-testid="fingerprint-compare">
            <div className="ssh-compare-side">
              <h3>{t('ssh.replace.known')}</h3>
              {known.length > 0 ? (
                known.map((value) => <Fingerprint key={value} value={value} testId="known-fingerprint" />)
              ) : (
                <p className="muted">{t('ssh.replace.knownUnavailable')}</p>
              )}
            </div>
            <div className="ssh-compare-side ssh-compare-new">
              <h3>{t('ssh.replace.presented', { keyType })}</h3>
              <Fingerprint value={fingerprint} markTail testId="presented-fingerprint" />
            </div>
          </div>
          {publicKey === undefined && (
            <PublicKeyField value={pastedText} onChange={setPastedText} pasted={pasted} keyType={keyType} expected={fingerprint} />
          )}
          <div className="dialog-fields">
            <Field label={t('ssh.replace.typeTail', { n: CONFIRM_LENGTH })} hint={t('ssh.replace.typeTailHint')}>
              {(control) => (
                <input
                  {...control}
                  className="mono ssh-tail-input"
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={CONFIRM_LENGTH + 4}
                  data-testid="confirm-tail"
                  value={typed}
                  onChange={(event) => setTyped(event.target.value)}
                />
              )}
            </Field>
          </div>
          {error && (
            <p className="banner banner-error" role="alert" data-testid="replace-error">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              {t('ssh.cancel')}
            </button>
            <button type="submit" className="button button-danger-solid" disabled={!key || !confirmed || busy} data-testid="replace-confirm">
              {t('ssh.replace.confirm')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
