import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostDetail } from '../../../shared/contract/inspect';
import { logSources, type LogSource } from './model/log-sources';

/**
 * The last lines of the node's service log as the latest round read them. "Follow" reads
 * them again every few seconds; Pause freezes what is shown while reading.
 */
export function LogsPanel({
  detail,
  following,
  onFollowingChange,
}: {
  detail: HostDetail;
  /** Whether the logs are read again every few seconds (between rounds). */
  following: boolean;
  onFollowingChange(following: boolean): void;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const filterId = useId();
  const sources = useMemo(() => logSources(detail), [detail]);
  const [chosen, setChosen] = useState<string>();
  const [filter, setFilter] = useState('');
  const [frozen, setFrozen] = useState<LogSource>();
  const preRef = useRef<HTMLPreElement>(null);

  const live = sources.find((source) => source.id === chosen) ?? sources[0];
  const shown = frozen && frozen.id === live?.id ? frozen : live;
  const lines = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (shown?.lines ?? []).filter((line) => needle === '' || line.toLowerCase().includes(needle));
  }, [shown, filter]);

  // Follow the newest line while live, like `journalctl -f`.
  useEffect(() => {
    const pre = preRef.current;
    if (pre && !frozen) pre.scrollTop = pre.scrollHeight;
  }, [lines, frozen]);

  return (
    <section className="node-section logs-panel" aria-labelledby={titleId} data-testid="logs-panel">
      <h2 id={titleId}>{t('inspect.logs.title')}</h2>
      {!live ? (
        <p className="empty-hint" data-testid="logs-none">
          {t('inspect.logs.none')}
        </p>
      ) : (
        <>
          <div className="logs-toolbar">
            {sources.length > 1 && (
              <label className="inline-field">
                <span>{t('inspect.logs.source')}</span>
                <select value={live.id} onChange={(event) => setChosen(event.target.value)} data-testid="logs-source">
                  {sources.map((source) => (
                    <option key={source.id} value={source.id}>
                      {source.id}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="inline-field" htmlFor={filterId}>
              <span>{t('inspect.logs.filter')}</span>
            </label>
            <input id={filterId} type="search" value={filter} onChange={(event) => setFilter(event.target.value)} data-testid="logs-filter" />
            <button type="button" className="button button-small" aria-pressed={!!frozen} data-testid="logs-pause"
              onClick={() => setFrozen(frozen ? undefined : live)}>
              {frozen ? t('inspect.logs.resume') : t('inspect.logs.pause')}
            </button>
            <label className="inline-field">
              <input
                type="checkbox"
                checked={following}
                disabled={!!frozen}
                onChange={(event) => onFollowingChange(event.target.checked)}
                data-testid="logs-follow"
              />
              <span>{t('inspect.logs.follow')}</span>
            </label>
            <span className="muted" role="status">
              {frozen ? t('inspect.logs.paused') : t('inspect.logs.live')} {t('inspect.logs.shown', { shown: lines.length, total: shown?.lines.length ?? 0 })}
            </span>
          </div>
          {shown?.problem && <p className="banner banner-warn">{t('inspect.logs.unknown', { reason: shown.problem })}</p>}
          <pre ref={preRef} className="log-lines" data-testid="log-lines" tabIndex={0}>
            {lines.length > 0 ? lines.join('\n') : filter.trim() ? t('inspect.logs.noMatch') : t('inspect.node.noOutput')}
          </pre>
        </>
      )}
    </section>
  );
}
