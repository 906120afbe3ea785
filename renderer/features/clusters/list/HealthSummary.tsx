import { useTranslation } from 'react-i18next';
import { RoundAge } from '../../inspect/RoundAge';

/** Findings by severity from the latest inspection round of a cluster. */
export interface ClusterHealth {
  p1: number;
  p2: number;
  p3: number;
  /** When the latest round finished (ISO 8601). */
  lastRound: string;
  /** The refresh interval in force (0: on demand), and why the latest refresh failed: both mark the data stale. */
  intervalSeconds?: number;
  refreshError?: string;
}

const severities = ['p1', 'p2', 'p3'] as const;

/** A cluster's health in the list: neutral until the inspect feature has looked at it. */
export function HealthSummary({ health }: { health: ClusterHealth | undefined }) {
  const { t, i18n } = useTranslation();
  if (!health) {
    return (
      <span className="health health-unknown" data-testid="health-summary">
        {t('clusters.health.notInspected')}
      </span>
    );
  }
  const found = severities.filter((severity) => health[severity] > 0);
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' }).format(new Date(health.lastRound));
  return (
    <span className="health" data-testid="health-summary" title={t('clusters.health.lastRound', { time })}>
      {found.length === 0 ? (
        <span className="health-ok">{t('clusters.health.noFindings')}</span>
      ) : (
        found.map((severity) => (
          <span key={severity} className={`badge badge-${severity}`}>
            {t(`clusters.health.${severity}`, { n: health[severity] })}
          </span>
        ))
      )}
      <RoundAge finishedAt={Date.parse(health.lastRound)} intervalSeconds={health.intervalSeconds ?? 0} refreshFailed={!!health.refreshError}
        title={health.refreshError ?? t('clusters.health.lastRound', { time })} />
    </span>
  );
}
