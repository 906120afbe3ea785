import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cluster } from '../../../shared/inventory/schema';
import type { Finding } from '../../../shared/stacks/findings';
import { api } from '../../api/client';
import { useInspect } from '../../stores/inspect';
import { useInventory } from '../../stores/inventory';
import { useNavigation } from '../../stores/navigation';
import { useSsh } from '../../stores/ssh';
import { ClusterEditor } from '../clusters/editor/ClusterEditor';
import { LicenseWizardHost } from '../license/LicenseWizardHost';
import { VaultDialog } from '../clusters/vault/VaultDialog';
import { ClusterHeader } from './ClusterHeader';
import { FindingsPanel } from './FindingsPanel';
import type { FindingActions } from './FixAction';
import { matchesQuery } from './model/node-rows';
import { NodeList } from './NodeList';
import { NodeView } from './NodeView';
import './inspect.css';

const noFindings: Finding[] = [];

/** A cluster's overview (nodes by role, findings) or, with `host`, one node of it. */
export function InspectPage({ cluster, host }: { cluster: string; host: string | undefined }) {
  const { t } = useTranslation();
  const entry = useInspect((state) => state.clusters[cluster]);
  const intervalSeconds = useInspect((state) => state.intervalSeconds);
  const intervalError = useInspect((state) => state.intervalError);
  const { refresh, setInterval: setRefreshInterval } = useInspect.getState();
  const { clusters: summaries, loaded: inventoryLoaded, load: loadInventory } = useInventory();
  const { go, openCluster, openHost, closeHost } = useNavigation();
  const [query, setQuery] = useState('');
  const [activeHost, setActiveHost] = useState<string>();
  const [editing, setEditing] = useState<Cluster>();
  const searchId = useId();

  useEffect(() => {
    void useInspect.getState().load(cluster);
  }, [cluster]);
  useEffect(() => {
    if (!inventoryLoaded) void loadInventory();
  }, [inventoryLoaded, loadInventory]);

  const inspection = entry?.inspection;
  const hosts = useMemo(() => inspection?.hosts ?? [], [inspection]);
  const findings = inspection?.findings ?? noFindings;
  const summary = summaries.find((candidate) => candidate.name === cluster);
  const shown = useMemo(() => hosts.filter((candidate) => matchesQuery(candidate, query)).length, [hosts, query]);

  const showHost = useCallback(
    (name: string) => {
      setActiveHost(name);
      openHost(cluster, name);
    },
    [cluster, openHost],
  );
  const actions: FindingActions = {
    openHost: showHost,
    // The editor when the saved cluster can be read; the clusters list otherwise.
    editCluster: () => void api.inventory.get({ name: cluster }).then(setEditing, () => go('clusters')),
    // The SSH feature's tray lists keys waiting for approval and refused changed keys, with Replace.
    reviewHostKeys: () => useSsh.getState().setPanelOpen(true),
  };

  const editor = editing && (
    <>
      <ClusterEditor
        cluster={editing}
        onClose={() => setEditing(undefined)}
        onSaved={(name) => {
          setEditing(undefined);
          if (name !== cluster) openCluster(name);
        }}
      />
      <VaultDialog />
    </>
  );

  if (host) {
    return (
      <>
        <NodeView
          key={host}
          cluster={cluster}
          hostName={host}
          host={hosts.find((candidate) => candidate.name === host)}
          round={inspection?.round}
          findings={findings}
          actions={actions}
          onBack={closeHost}
        />
        {editor}
        <LicenseWizardHost cluster={cluster} />
      </>
    );
  }

  return (
    <section className="inspect-page" aria-labelledby="page-title" data-testid="inspect-page" data-cluster={cluster}>
      <ClusterHeader
        name={cluster}
        summary={summary}
        entry={entry}
        intervalSeconds={intervalSeconds}
        onBack={() => go('clusters')}
        onRefresh={() => void refresh(cluster)}
        onInterval={(seconds) => void setRefreshInterval(seconds)}
      />
      {inventoryLoaded && !summary && <p className="banner banner-warn">{t('inspect.clusterMissing', { name: cluster })}</p>}
      {entry?.loadError && (
        <p className="banner banner-error" role="alert">
          {t('inspect.loadFailed', { error: entry.loadError })}
        </p>
      )}
      {entry?.refreshError && (
        <p className="banner banner-error" role="alert" data-testid="refresh-error">
          {t('inspect.refreshFailed', { error: entry.refreshError })}
        </p>
      )}
      {intervalError && (
        <p className="banner banner-error" role="alert">
          {t('inspect.interval.failed', { error: intervalError })}
        </p>
      )}
      {entry?.loaded && !inspection && !entry.loadError && (
        <div className="empty-state" data-testid="not-inspected">
          <p className="empty-hint">{t('inspect.notInspected')}</p>
        </div>
      )}
      {inspection && (
        <div className="inspect-body">
          <section className="nodes-panel" aria-labelledby={`${searchId}-title`}>
            <header className="panel-head">
              <h2 id={`${searchId}-title`}>{t('inspect.nodes.title')}</h2>
              <label htmlFor={searchId} className="visually-hidden">
                {t('inspect.nodes.search')}
              </label>
              <input
                id={searchId}
                type="search"
                className="node-search"
                placeholder={t('inspect.nodes.searchPlaceholder')}
                value={query}
                onChange={(event) => setQuery(event.target.value)}
                data-testid="node-search"
              />
              <span className="muted" data-testid="node-count" role="status">
                {t('inspect.nodes.shown', { shown, total: hosts.length })}
              </span>
            </header>
            <NodeList
              cluster={cluster}
              hosts={hosts}
              findings={findings}
              query={query}
              activeHost={activeHost}
              onActiveHost={setActiveHost}
              onOpenHost={showHost}
            />
            <p className="keyboard-hint muted">{t('inspect.nodes.keyboardHint')}</p>
          </section>
          <FindingsPanel findings={findings} actions={actions} />
        </div>
      )}
      {editor}
      <LicenseWizardHost cluster={cluster} />
    </section>
  );
}
