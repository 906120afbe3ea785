import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSsh } from '../../stores/ssh';
import { Dialog } from '../../ui/Dialog';
import { Field } from '../../ui/Field';
import { Fingerprint } from './Fingerprint';
import { hostPort, type HostKeyReplacement } from './host-key-change';
import { PublicKeyField } from './PublicKeyField';
import { ReplaceHostKeyDialog } from './ReplaceHostKeyDialog';
import { usePastedKey } from './use-public-key';

/**
 * "Replace a host key" from the panel: the admin names the host and pastes the public key
 * obtained out of band (the host's console, its owner); then the same confirmation as
 * for a refused connection.
 */
export function ManualReplaceDialog({ onClose }: { onClose(): void }) {
  const [chosen, setChosen] = useState<HostKeyReplacement>();
  return chosen ? <ReplaceHostKeyDialog {...chosen} onClose={onClose} /> : <ChooseKey onClose={onClose} onChosen={setChosen} />;
}

function ChooseKey({ onClose, onChosen }: { onClose(): void; onChosen(replacement: HostKeyReplacement): void }) {
  const { t } = useTranslation();
  const refused = useSsh((s) => s.refused);
  const [host, setHost] = useState('');
  const [port, setPort] = useState('22');
  const [keyText, setKeyText] = useState('');
  const pasted = usePastedKey(keyText);
  const [showProblems, setShowProblems] = useState(false);

  const portNumber = Number(port);
  const portOk = Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535;
  const address = host.trim();
  const keyType = pasted.state === 'ok' ? pasted.key.keyType : 'ssh-ed25519';
  const refusal = refused.find((r) => r.host.toLowerCase() === address.toLowerCase() && r.port === portNumber && r.keyType === keyType);
  const matches = pasted.state === 'ok' && (!refusal || refusal.presentedFingerprint === pasted.fingerprint);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowProblems(true);
    if (!address || !portOk || pasted.state !== 'ok' || !matches) return;
    onChosen({
      host: address,
      port: portNumber,
      keyType: pasted.key.keyType,
      publicKey: pasted.key.publicKey,
      fingerprint: pasted.fingerprint,
      knownFingerprint: refusal?.knownFingerprints ?? [],
    });
  };

  return (
    <Dialog title={t('ssh.manual.title')} onClose={onClose} wide testId="manual-replace-dialog">
      <form onSubmit={submit} noValidate>
        <p className="dialog-text muted">{t('ssh.manual.intro')}</p>
        <div className="dialog-fields ssh-manual-grid">
          <Field label={t('ssh.manual.host')} errors={showProblems && !address ? [t('ssh.manual.hostRequired')] : undefined}>
            {(control) => <input {...control} autoFocus spellCheck={false} autoComplete="off" value={host} onChange={(event) => setHost(event.target.value)} />}
          </Field>
          <Field label={t('ssh.manual.port')} errors={showProblems && !portOk ? [t('ssh.manual.portInvalid')] : undefined}>
            {(control) => <input {...control} inputMode="numeric" value={port} onChange={(event) => setPort(event.target.value)} />}
          </Field>
        </div>
        {refusal && (
          <p className="banner banner-warn" data-testid="manual-refusal">
            {t('ssh.manual.refusal', { target: hostPort(refusal.host, refusal.port) })} <Fingerprint value={refusal.presentedFingerprint} />
          </p>
        )}
        <PublicKeyField
          value={keyText}
          onChange={setKeyText}
          pasted={pasted}
          keyType={keyType}
          {...(refusal ? { expected: refusal.presentedFingerprint } : {})}
        />
        {showProblems && pasted.state === 'empty' && <p className="field-error">{t('ssh.manual.keyRequired')}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('ssh.cancel')}
          </button>
          <button type="submit" className="button button-primary">
            {t('ssh.manual.next')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
