import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Finding } from '../../../shared/stacks/findings';
import { FindingCard } from './FindingCard';
import type { FindingActions } from './FixAction';
import { countBySeverity } from './model/inspection';
import { SeverityCounts } from './SeverityCounts';

/** The round's findings, P1 first (the store keeps them sorted by severity). */
export function FindingsPanel({ findings, actions }: { findings: readonly Finding[]; actions: FindingActions }) {
  const { t } = useTranslation();
  const titleId = useId();
  return (
    <section className="findings-panel" aria-labelledby={titleId} data-testid="findings-panel">
      <header className="panel-head">
        <h2 id={titleId}>{t('inspect.findings.title')}</h2>
        <span className="muted">{t('inspect.findings.count', { count: findings.length })}</span>
        <SeverityCounts counts={countBySeverity(findings)} />
      </header>
      {findings.length === 0 ? (
        <p className="empty-hint" data-testid="no-findings">
          {t('inspect.findings.none')}
        </p>
      ) : (
        <div className="finding-list">
          {findings.map((finding) => (
            <FindingCard key={finding.key} finding={finding} actions={actions} />
          ))}
        </div>
      )}
    </section>
  );
}
