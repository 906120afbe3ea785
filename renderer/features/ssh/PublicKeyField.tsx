import { useTranslation } from 'react-i18next';
import { Field } from '../../ui/Field';
import { Fingerprint } from './Fingerprint';
import { hostKeyFileFor } from './fingerprint';
import type { PastedKey } from './use-public-key';

interface PublicKeyFieldProps {
  value: string;
  onChange(value: string): void;
  pasted: PastedKey;
  /** The key type whose file to suggest. */
  keyType: string;
  /** The fingerprint the pasted key must have (the one the server presented), when known. */
  expected?: string;
}

/** A textarea for a host's public key line, with the fingerprint computed from it. */
export function PublicKeyField({ value, onChange, pasted, keyType, expected }: PublicKeyFieldProps) {
  const { t } = useTranslation();
  const mismatch = pasted.state === 'ok' && expected !== undefined && pasted.fingerprint !== expected;
  const problem =
    pasted.state === 'invalid' ? t('ssh.key.invalid') : pasted.state === 'unsupported' ? t('ssh.key.unsupported') : mismatch ? t('ssh.key.mismatch') : undefined;
  return (
    <div className="ssh-key-field">
      <Field label={t('ssh.key.label')} hint={t('ssh.key.hint', { file: hostKeyFileFor(keyType) })} errors={problem ? [problem] : undefined}>
        {(control) => (
          <textarea
            {...control}
            className="mono"
            rows={3}
            spellCheck={false}
            autoComplete="off"
            data-testid="public-key-input"
            value={value}
            onChange={(event) => onChange(event.target.value)}
          />
        )}
      </Field>
      {pasted.state === 'ok' && (
        <p className={mismatch ? 'ssh-key-check ssh-key-check-bad' : 'ssh-key-check'} data-testid="pasted-fingerprint">
          {t('ssh.key.fingerprint')} <Fingerprint value={pasted.fingerprint} />
          {expected !== undefined && !mismatch && <span className="ssh-ok"> {t('ssh.key.matches')}</span>}
        </p>
      )}
    </div>
  );
}
