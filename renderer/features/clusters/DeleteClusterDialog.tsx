import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { ClusterSummary } from '../../../shared/inventory/schema';
import { api } from '../../api/client';
import { Dialog } from '../../ui/Dialog';
import { errorMessage } from '../../ui/error-message';
import { TypedNameField } from '../../ui/TypedNameField';

/**
 * Says exactly what is deleted (the cluster and its hosts, from the inventory only).
 * A production cluster needs its name typed, so a slip of the mouse cannot delete it.
 */
export function DeleteClusterDialog({ cluster, onClose }: { cluster: ClusterSummary; onClose(): void }) {
  const { t } = useTranslation();
  const [typedName, setTypedName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const needsTypedName = cluster.environment === 'production';
  const confirmed = !needsTypedName || typedName === cluster.name;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    setBusy(true);
    try {
      await api.inventory.delete({ name: cluster.name });
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('clusters.deleteTitle')} onClose={onClose} testId="delete-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <p className="dialog-text" data-testid="delete-question">
          <Trans i18nKey="clusters.deleteQuestion" values={{ name: cluster.name }} count={cluster.hostCount} components={{ b: <strong /> }} />
        </p>
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        {needsTypedName && (
          <TypedNameField label={t('clusters.deleteTypeName', { name: cluster.name })} value={typedName} onChange={setTypedName} autoFocus />
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} autoFocus={!needsTypedName}>
            {t('clusters.cancel')}
          </button>
          <button type="submit" className="button button-danger-solid" disabled={!confirmed || busy}>
            {t('clusters.deleteConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
