import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClusterSummary } from '../../../shared/inventory/schema';
import { EnvironmentBadge, SimulationBadge } from '../clusters/list/EnvironmentBadge';
import { LicenseWizardButton } from '../license/LicenseWizardButton';
import { RestartPreviewDialog } from '../restart/RestartPreviewDialog';
import type { ClusterEntry } from './inspect-store';
import { IntervalSelect } from './IntervalSelect';
import { RefreshButton } from './RefreshButton';
import { RoundAge } from './RoundAge';
import { Breadcrumb } from '../../ui/Breadcrumb';

interface ClusterHeaderProps {
  name: string;
  summary: ClusterSummary | undefined;
  entry: ClusterEntry | undefined;
  intervalSeconds: number;
  onBack(): void;
  onRefresh(): void;
  onInterval(seconds: number): void;
}

export function ClusterHeader({ name, summary, entry, intervalSeconds, onBack, onRefresh, onInterval }: ClusterHeaderProps) {
  const { t, i18n } = useTranslation();
  const [restarting, setRestarting] = useState(false);
  const inspection = entry?.inspection;
  return (
    <header className="inspect-header">
      <Breadcrumb label={t('inspect.backToClusters')} navLabel={t('inspect.breadcrumb')} onBack={onBack} testId="back-to-clusters" />
      <div className="inspect-title-row">
        <h1 id="page-title" className="inspect-title">
          {name}
        </h1>
        {summary && <EnvironmentBadge environment={summary.environment} />}
        {summary?.simulated && <SimulationBadge />}
        <div className="inspect-round" data-testid="last-round" data-round={inspection?.round}>
          <span className="muted">{t('inspect.lastRound')}:</span>{' '}
          {inspection ? (
            <RoundAge
              finishedAt={inspection.finishedAt}
              intervalSeconds={intervalSeconds}
              refreshFailed={!!entry.refreshError}
              title={t('inspect.lastRoundAt', {
                time: new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(inspection.finishedAt)),
                seconds: (inspection.durationMs / 1000).toFixed(1),
              })}
            />
          ) : (
            <span className="muted">{t('inspect.never')}</span>
          )}
        </div>
        <div className="page-actions">
          <IntervalSelect seconds={intervalSeconds} onChange={onInterval} />
          <RefreshButton cluster={name} refreshing={!!entry?.refreshing} onRefresh={onRefresh} />
          <button type="button" className="button" data-testid="staged-restart" onClick={() => setRestarting(true)}>
            {t('restart.open')}
          </button>
          <LicenseWizardButton cluster={name} revision={summary} />
        </div>
      </div>
      {restarting && <RestartPreviewDialog cluster={name} onClose={() => setRestarting(false)} />}
    </header>
  );
}
