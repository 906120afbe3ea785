import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cluster } from '../../../../shared/inventory/schema';
import { validateCluster } from '../../../../shared/inventory/validate';
import { api } from '../../../api/client';
import { Dialog } from '../../../ui/Dialog';
import { errorMessage } from '../../../ui/error-message';
import { ensureSecretStoreReady } from '../vault/vault-gate';
import {
  clusterForValidation,
  clusterToSave,
  draftFromCluster,
  hasTypedSecrets,
  newClusterDraft,
  storeTypedSecrets,
  type ClusterDraft,
} from './cluster-draft';
import { editorFieldKeys, groupIssues, issuesOfError, unplacedMessages, type FieldErrors } from './field-errors';
import { GeneralFields } from './GeneralFields';
import { HostsEditor } from './HostsEditor';
import { MongoFields, RocketchatFields } from './ServiceAccessFields';

interface ClusterEditorProps {
  /** The saved cluster to edit; a new cluster when absent. */
  cluster?: Cluster;
  onClose(): void;
  onSaved(name: string): void;
}

/**
 * Creates or edits a cluster. Checks the form with the inventory schema before
 * anything is sent; typed passwords go to the secret store first and only their
 * references are saved; problems the main process finds are shown the same way.
 */
export function ClusterEditor({ cluster, onClose, onSaved }: ClusterEditorProps) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<ClusterDraft>(() => (cluster ? draftFromCluster(cluster) : newClusterDraft()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const change = (patch: Partial<ClusterDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const unplaced = useMemo(() => unplacedMessages(errors, editorFieldKeys(draft.hosts.length)), [errors, draft.hosts.length]);

  const storeSecrets = async (current: ClusterDraft): Promise<ClusterDraft | undefined> => {
    if (!hasTypedSecrets(current)) return current;
    const readiness = await ensureSecretStoreReady();
    if (readiness !== 'ready') {
      setFailure(t(readiness === 'unavailable' ? 'inventory.vault.unavailableForSave' : 'inventory.vault.cancelledSave'));
      return undefined;
    }
    const stored = await storeTypedSecrets(current, (value) => api.inventory.setSecret({ value }));
    // From here on the draft holds references only; a retry after a failed save stores nothing twice.
    setDraft(stored);
    return stored;
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const checked = validateCluster(clusterForValidation(draft));
    if (!checked.ok) {
      setErrors(groupIssues(checked.issues));
      setFailure(t('clusters.editor.fixProblems', { count: checked.issues.length }));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const ready = await storeSecrets(draft);
      if (!ready) return;
      const saved = await api.inventory.save({ cluster: clusterToSave(ready), ...(cluster ? { previousName: cluster.name } : {}) });
      onSaved(saved.name);
    } catch (error) {
      setErrors(groupIssues(issuesOfError(error)));
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const title = cluster ? t('clusters.editor.editTitle', { name: cluster.name }) : t('clusters.editor.createTitle');
  return (
    <Dialog title={title} onClose={onClose} wide testId="cluster-editor">
      <form onSubmit={(event) => void save(event)} noValidate className="editor-form">
        <div className="editor-body">
          <GeneralFields draft={draft} errors={errors} onChange={change} />
          <HostsEditor hosts={draft.hosts} errors={errors} onChange={(hosts) => change({ hosts })} />
          <MongoFields
            mongo={draft.mongo}
            hostNames={draft.hosts.map((host) => host.name.trim())}
            errors={errors}
            onChange={(mongo) => change({ mongo })}
          />
          <RocketchatFields rocketchat={draft.rocketchat} errors={errors} onChange={(rocketchat) => change({ rocketchat })} />
        </div>
        <div className="dialog-footer">
          {failure && (
            <div className="banner banner-error" role="alert" data-testid="editor-error">
              <p>{failure}</p>
              {unplaced.length > 0 && (
                <ul>
                  {unplaced.map((message) => (
                    <li key={message}>{message}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              {t('clusters.cancel')}
            </button>
            <button type="submit" className="button button-primary" disabled={busy} data-testid="save-cluster">
              {t('clusters.editor.save')}
            </button>
          </div>
        </div>
      </form>
    </Dialog>
  );
}
