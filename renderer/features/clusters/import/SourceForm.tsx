import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportRequest } from '../../../../shared/contract';
import type { ImportProposal } from '../../../../shared/inventory/import-proposal';
import { api } from '../../../api/client';
import { ChoiceGroup } from '../../../ui/ChoiceGroup';
import { errorMessage } from '../../../ui/error-message';
import { Field } from '../../../ui/Field';

type SourceFormat = Exclude<ImportRequest['format'], 'auto'>;
type SourceKind = 'text' | 'path';

/** What to import: the format, and the text itself or a path on the machine running Switchboard. */
export function SourceForm({ onPreview, onCancel }: { onPreview(proposal: ImportProposal): void; onCancel(): void }) {
  const { t } = useTranslation();
  const [format, setFormat] = useState<SourceFormat>('ssh-config');
  const [kind, setKind] = useState<SourceKind>('path');
  const [text, setText] = useState('');
  const [path, setPath] = useState('');
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const preview = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const source = kind === 'text' ? { text } : path.trim() !== '' ? { path: path.trim() } : {};
    if (kind === 'text' && text.trim() === '') return setFailure(t('inventory.import.textRequired'));
    if (kind === 'path' && format === 'ansible' && !('path' in source)) return setFailure(t('inventory.import.pathRequired'));
    setBusy(true);
    try {
      onPreview(await api.inventory.importPreview({ format, ...source }));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void preview(event)} noValidate>
      <div className="dialog-fields">
        <ChoiceGroup<SourceFormat>
          legend={t('inventory.import.format')}
          name="import-format"
          value={format}
          options={[
            { value: 'ssh-config', label: t('inventory.import.sshConfig') },
            { value: 'ansible', label: t('inventory.import.ansible') },
          ]}
          onChange={setFormat}
        />
        <ChoiceGroup<SourceKind>
          legend={t('inventory.import.source')}
          name="import-source"
          value={kind}
          options={[
            { value: 'path', label: t('inventory.import.fromPath') },
            { value: 'text', label: t('inventory.import.fromText') },
          ]}
          onChange={setKind}
        />
        {kind === 'path' ? (
          <Field label={t('inventory.import.path')} hint={t(format === 'ssh-config' ? 'inventory.import.pathHintSsh' : 'inventory.import.pathHintAnsible')}>
            {(control) => (
              <input
                {...control}
                className="mono"
                spellCheck={false}
                value={path}
                placeholder={format === 'ssh-config' ? '~/.ssh/config' : '~/ansible/production.ini'}
                onChange={(e) => setPath(e.target.value)}
              />
            )}
          </Field>
        ) : (
          <Field label={t('inventory.import.text')}>
            {(control) => <textarea {...control} className="mono" rows={12} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
        )}
      </div>
      {failure && (
        <p className="banner banner-error preformatted" role="alert" data-testid="import-error">
          {failure}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          {t('clusters.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="import-preview">
          {t('inventory.import.preview')}
        </button>
      </div>
    </form>
  );
}
