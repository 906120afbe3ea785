import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cluster, ClusterSummary } from '../../../shared/inventory/schema';
import { api } from '../../api/client';
import { useInventory } from '../../stores/inventory';
import { useNavigation } from '../../stores/navigation';
import { InspectPage } from '../inspect/InspectPage';
import { useClusterHealth } from '../inspect/use-cluster-health';
import { errorMessage } from '../../ui/error-message';
import { DeleteClusterDialog } from './DeleteClusterDialog';
import { ClusterEditor } from './editor/ClusterEditor';
import { ImportDialog } from './import/ImportDialog';
import { ClusterList, type ClusterActions } from './list/ClusterList';
import { VaultDialog } from './vault/VaultDialog';
import { VaultStatus } from './vault/VaultStatus';

type OpenDialog =
  | { kind: 'create' }
  | { kind: 'edit'; cluster: Cluster }
  | { kind: 'import' }
  | { kind: 'delete'; cluster: ClusterSummary };

/** The clusters list, or the overview of the cluster opened from it. */
export function ClustersPage() {
  const { cluster, host } = useNavigation();
  return cluster ? <InspectPage cluster={cluster} host={host} /> : <ClusterListPage />;
}

function ClusterListPage() {
  const { t } = useTranslation();
  const { clusters, loaded, error, load } = useInventory();
  const openCluster = useNavigation((state) => state.openCluster);
  const health = useClusterHealth(clusters.map((cluster) => cluster.name));
  const [dialog, setDialog] = useState<OpenDialog>();
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    void load();
  }, [load]);

  const run = (task: Promise<void>) => {
    setFailure(undefined);
    task.catch((problem: unknown) => setFailure(errorMessage(problem)));
  };
  const close = () => setDialog(undefined);
  const saved = (name: string) => {
    setDialog(undefined);
    setNotice(t('clusters.saved', { name }));
  };
  const actions: ClusterActions = {
    open: openCluster,
    edit: (name) => run(api.inventory.get({ name }).then((cluster) => setDialog({ kind: 'edit', cluster }))),
    duplicate: (name) => run(api.inventory.duplicate({ name }).then((copy) => setNotice(t('clusters.duplicated', { name, copy: copy.name })))),
    remove: (cluster) => setDialog({ kind: 'delete', cluster }),
  };
  const add = () => setDialog({ kind: 'create' });
  const importFile = () => setDialog({ kind: 'import' });

  return (
    <section aria-labelledby="page-title" data-testid="page-clusters">
      <header className="page-header">
        <h1 id="page-title">{t('clusters.title')}</h1>
        <VaultStatus />
        {clusters.length > 0 && (
          <div className="page-actions">
            <button type="button" className="button" onClick={importFile}>
              {t('clusters.import')}
            </button>
            <button type="button" className="button button-primary" onClick={add}>
              {t('clusters.add')}
            </button>
          </div>
        )}
      </header>
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      {(error ?? failure) && (
        <p className="banner banner-error" role="alert" data-testid="clusters-error">
          {error ?? failure}
        </p>
      )}
      {loaded && clusters.length === 0 && <ClustersEmptyState onAdd={add} onImport={importFile} />}
      {clusters.length > 0 && <ClusterList clusters={clusters} health={health} actions={actions} />}
      {dialog?.kind === 'create' && <ClusterEditor onClose={close} onSaved={saved} />}
      {dialog?.kind === 'edit' && <ClusterEditor cluster={dialog.cluster} onClose={close} onSaved={saved} />}
      {dialog?.kind === 'import' && <ImportDialog onClose={close} onSaved={saved} />}
      {dialog?.kind === 'delete' && <DeleteClusterDialog cluster={dialog.cluster} onClose={close} />}
      <VaultDialog />
    </section>
  );
}

function ClustersEmptyState({ onAdd, onImport }: { onAdd(): void; onImport(): void }) {
  const { t } = useTranslation();
  return (
    <div className="empty-state" data-testid="clusters-empty">
      <p className="empty-title">{t('clusters.empty')}</p>
      <p className="empty-hint">{t('clusters.emptyHint')}</p>
      <div className="empty-actions">
        <button type="button" className="button button-primary" onClick={onAdd}>
          {t('clusters.add')}
        </button>
        <button type="button" className="button" onClick={onImport}>
          {t('clusters.import')}
        </button>
      </div>
    </div>
  );
}
