import { useTranslation } from 'react-i18next';
import { severities } from '../../../shared/stacks/findings';
import type { FindingCounts } from './model/inspection';

/** "P1 × 2  P3 × 1" badges; nothing when there are no findings. */
export function SeverityCounts({ counts }: { counts: FindingCounts }) {
  const { t } = useTranslation();
  return (
    <>
      {severities
        .filter((severity) => counts[severity] > 0)
        .map((severity) => (
          <span key={severity} className={`badge badge-${severity.toLowerCase()}`} data-testid="finding-badge" data-severity={severity}>
            {t('inspect.severityCount', { severity, n: counts[severity] })}
          </span>
        ))}
    </>
  );
}
