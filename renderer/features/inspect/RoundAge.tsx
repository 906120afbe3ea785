import { useTranslation } from 'react-i18next';
import { formatAge } from './model/format';
import { isStale } from './model/inspection';
import { useNow } from './use-now';
import './inspect.css';

interface RoundAgeProps {
  /** When the round finished (epoch ms). */
  finishedAt: number;
  intervalSeconds: number;
  refreshFailed: boolean;
  /** Hover text; default the finishing time. */
  title?: string;
}

/** "42 s ago", ticking, with a Stale mark once the data is older than twice the interval or a refresh failed. */
export function RoundAge({ finishedAt, intervalSeconds, refreshFailed, title }: RoundAgeProps) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const stale = isStale(finishedAt, now, intervalSeconds, refreshFailed);
  const time = title ?? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(finishedAt));
  return (
    <span className={stale ? 'round-age round-age-stale' : 'round-age'} data-testid="round-age" data-stale={stale || undefined} title={time}>
      {formatAge(now - finishedAt, t)}
      {stale && (
        <span className="badge badge-stale" title={t('inspect.staleHint')}>
          {t('inspect.stale')}
        </span>
      )}
    </span>
  );
}
