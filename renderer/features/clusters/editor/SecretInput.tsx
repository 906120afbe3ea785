import { useTranslation } from 'react-i18next';
import type { ControlProps } from '../../../ui/Field';
import type { SecretDraft } from './cluster-draft';

interface SecretInputProps {
  control: ControlProps;
  secret: SecretDraft;
  onChange(secret: SecretDraft): void;
}

/**
 * A password or token. A value already in the secret store is never shown or sent
 * back: the field says it is stored, typing replaces it, Remove drops it.
 */
export function SecretInput({ control, secret, onChange }: SecretInputProps) {
  const { t } = useTranslation();
  return (
    <div className="secret-input">
      <input
        {...control}
        type="password"
        autoComplete="new-password"
        placeholder={secret.stored ? t('clusters.editor.secretStored') : ''}
        value={secret.typed}
        onChange={(event) => onChange({ ...secret, typed: event.target.value })}
      />
      {secret.stored && secret.typed === '' && (
        <button type="button" className="button button-small" onClick={() => onChange({ stored: undefined, typed: '' })}>
          {t('clusters.editor.secretRemove')}
        </button>
      )}
    </div>
  );
}
