import { useTranslation } from 'react-i18next';
import type { ClusterSummary } from '../../../../shared/inventory/schema';
import { ClusterRefreshButton } from '../../inspect/ClusterRefreshButton';
import { stackLabel } from '../labels';
import { EnvironmentBadge, SimulationBadge } from './EnvironmentBadge';
import { moveFocusBetweenRows } from './grid-keys';
import { HealthSummary, type ClusterHealth } from './HealthSummary';

export interface ClusterActions {
  /** Opens the cluster's overview (its nodes and findings). */
  open(name: string): void;
  edit(name: string): void;
  duplicate(name: string): void;
  remove(cluster: ClusterSummary): void;
}

interface ClusterListProps {
  clusters: readonly ClusterSummary[];
  /** Latest inspection per cluster name; absent until the inspect feature provides it. */
  health?: Readonly<Record<string, ClusterHealth>>;
  actions: ClusterActions;
}

export function ClusterList({ clusters, health, actions }: ClusterListProps) {
  const { t } = useTranslation();
  return (
    <table className="cluster-table" aria-label={t('clusters.listLabel')} data-testid="cluster-list">
      <thead>
        <tr>
          <th scope="col">{t('clusters.columns.name')}</th>
          <th scope="col">{t('clusters.columns.environment')}</th>
          <th scope="col">{t('clusters.columns.stacks')}</th>
          <th scope="col" className="numeric">
            {t('clusters.columns.hosts')}
          </th>
          <th scope="col">{t('clusters.columns.health')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('clusters.columns.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody onKeyDown={moveFocusBetweenRows}>
        {clusters.map((cluster) => (
          <ClusterRow key={cluster.name} cluster={cluster} health={health?.[cluster.name]} actions={actions} />
        ))}
      </tbody>
    </table>
  );
}

function ClusterRow({ cluster, health, actions }: { cluster: ClusterSummary; health: ClusterHealth | undefined; actions: ClusterActions }) {
  const { t } = useTranslation();
  return (
    <tr data-grid-row="" data-testid="cluster-row" data-cluster={cluster.name}>
      <th scope="row" className="cluster-name">
        <button type="button" className="link-button" data-grid-col="name" data-testid="open-cluster" onClick={() => actions.open(cluster.name)}>
          {cluster.name}
        </button>
        {cluster.simulated && <SimulationBadge />}
      </th>
      <td>
        <EnvironmentBadge environment={cluster.environment} />
      </td>
      <td className="stack-list">{cluster.stacks.map((stack) => stackLabel(stack, t)).join(', ')}</td>
      <td className="numeric" data-testid="host-count">
        {cluster.hostCount}
      </td>
      <td>
        <HealthSummary health={health} />
      </td>
      <td className="row-actions">
        <ClusterRefreshButton cluster={cluster.name} gridCol="refresh" />
        <button type="button" className="button button-small" data-grid-col="edit"
          aria-label={t('clusters.editNamed', { name: cluster.name })}
          onClick={() => actions.edit(cluster.name)}>
          {t('clusters.edit')}
        </button>
        <button type="button" className="button button-small" data-grid-col="duplicate"
          aria-label={t('clusters.duplicateNamed', { name: cluster.name })}
          onClick={() => actions.duplicate(cluster.name)}>
          {t('clusters.duplicate')}
        </button>
        <button type="button" className="button button-small button-danger" data-grid-col="delete"
          aria-label={t('clusters.deleteNamed', { name: cluster.name })}
          onClick={() => actions.remove(cluster)}>
          {t('clusters.delete')}
        </button>
      </td>
    </tr>
  );
}
