import { useTranslation } from 'react-i18next';
import type { OpStatus } from '../../../shared/ops/state';

export function OpStatusBadge({ status }: { status: OpStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`badge op-badge op-badge-${status}`} data-testid="op-status" data-status={status}>
      {t(`operations.status.${status}`)}
    </span>
  );
}

export function ProgressBar({ done, total, failed, label }: { done: number; total: number; failed?: boolean; label: string }) {
  return (
    <span className="op-progress">
      <progress className={failed ? 'op-progress-bar op-progress-failed' : 'op-progress-bar'} max={Math.max(total, 1)} value={done} aria-label={label} />
      <span className="numeric muted">
        {done}/{total}
      </span>
    </span>
  );
}

export function useTimeFormat() {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' });
  return (iso: string) => format.format(new Date(iso));
}
