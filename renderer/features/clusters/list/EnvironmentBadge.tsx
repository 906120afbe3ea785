import { useTranslation } from 'react-i18next';
import type { Environment } from '../../../../shared/inventory/schema';

/** Production stands out in the warning colour: that is where a careless click hurts. */
export function EnvironmentBadge({ environment }: { environment: Environment }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-env-${environment}`} data-testid="environment-badge">
      {t(`inventory.environments.${environment}`)}
    </span>
  );
}

export function SimulationBadge() {
  const { t } = useTranslation();
  return (
    <span className="badge badge-simulation" title={t('clusters.simulationHint')} data-testid="simulation-badge">
      {t('clusters.simulation')}
    </span>
  );
}
