import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import { EmptyState } from '../../app/EmptyState';
import { useActivity } from '../../stores/activity';

const ROW_HEIGHT = 36;

/** The audit log, newest first; virtualised because it only ever grows. */
export function ActivityPage() {
  const { t, i18n } = useTranslation();
  const { entries, loaded, error, load } = useActivity();
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    void load();
  }, [load]);

  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });
  return (
    <section aria-labelledby="page-title" data-testid="page-activity">
      <h1 id="page-title">{t('activity.title')}</h1>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {loaded && entries.length === 0 ? (
        <EmptyState title={t('activity.empty')} hint={t('activity.emptyHint')} />
      ) : (
        <div className="table" role="table" aria-label={t('activity.title')}>
          <div className="table-row table-head" role="row">
            <span role="columnheader">{t('activity.time')}</span>
            <span role="columnheader">{t('activity.actor')}</span>
            <span role="columnheader">{t('activity.action')}</span>
            <span role="columnheader">{t('activity.cluster')}</span>
            <span role="columnheader">{t('activity.outcome')}</span>
            <span role="columnheader">{t('activity.summary')}</span>
          </div>
          <div ref={scroller} className="table-body" style={{ height: 'calc(100vh - 180px)' }}>
            <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
              {rows.getVirtualItems().map((row) => {
                const entry = entries[row.index];
                if (!entry) return null;
                return (
                  <div
                    key={entry.id}
                    className="table-row"
                    role="row"
                    data-testid="activity-row"
                    style={{ position: 'absolute', top: row.start, height: ROW_HEIGHT, width: '100%' }}
                  >
                    <span role="cell">{time.format(new Date(entry.time))}</span>
                    <span role="cell">{entry.actor}</span>
                    <span role="cell" className="mono">
                      {entry.action}
                    </span>
                    <span role="cell">{entry.cluster ?? '—'}</span>
                    <span role="cell" className={`outcome outcome-${entry.outcome}`}>
                      {t(`activity.outcomes.${entry.outcome}`)}
                    </span>
                    <span role="cell">{entry.summary}</span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
