import { useDeferredValue, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import { filterLog, logLevels, type LogLevel } from './log-view';
import { LOG_POLL_MS, useSshLog } from './use-ssh-log';
import './ssh.css';

const ESTIMATED_ROW = 24;

/** Settings › SSH log: connection lifecycle, secrets redacted, newest first, filtered by level and text. */
export function SshLogSection() {
  const { t, i18n } = useTranslation();
  const { entries, error } = useSshLog();
  const [minLevel, setMinLevel] = useState<LogLevel>('debug');
  const [text, setText] = useState('');
  const query = useDeferredValue(text);
  const shown = filterLog(entries, minLevel, query);
  const titleId = useId();
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW,
    getItemKey: (index) => shown[index]?.seq ?? index,
    overscan: 20,
  });

  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false });
  return (
    <section className="ssh-log" aria-labelledby={titleId} data-testid="ssh-log">
      <h2 id={titleId}>{t('ssh.log.title')}</h2>
      <p className="muted ssh-log-intro">{t('ssh.log.intro', { seconds: LOG_POLL_MS / 1000 })}</p>
      <div className="ssh-log-controls">
        <label>
          <span>{t('ssh.log.level')}</span>
          <select data-testid="ssh-log-level" value={minLevel} onChange={(event) => setMinLevel(event.target.value as LogLevel)}>
            {logLevels.map((level) => (
              <option key={level} value={level}>
                {t(`ssh.log.atLeast.${level}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="ssh-log-search">
          <span>{t('ssh.log.filter')}</span>
          <input type="search" data-testid="ssh-log-filter" value={text} placeholder={t('ssh.log.filterPlaceholder')} onChange={(event) => setText(event.target.value)} />
        </label>
        <span className="muted" role="status" data-testid="ssh-log-count">
          {t('ssh.log.count', { shown: shown.length, total: entries.length })}
        </span>
      </div>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div ref={scroller} className="ssh-log-scroller" role="region" tabIndex={0} aria-label={t('ssh.log.entries')}>
        {shown.length === 0 ? (
          <p className="muted ssh-log-empty">{entries.length === 0 ? t('ssh.log.empty') : t('ssh.log.noMatch')}</p>
        ) : (
          <ol className="ssh-log-list" style={{ height: rows.getTotalSize() }}>
            {rows.getVirtualItems().map((row) => {
              const entry = shown[row.index];
              if (!entry) return null;
              return (
                <li
                  key={entry.seq}
                  ref={rows.measureElement}
                  data-index={row.index}
                  className={`ssh-log-row ssh-log-${entry.level}`}
                  data-testid="ssh-log-row"
                  data-level={entry.level}
                  style={{ transform: `translateY(${row.start}px)` }}
                >
                  <time dateTime={entry.time}>{time.format(new Date(entry.time))}</time>
                  <span className="ssh-log-level">{t(`ssh.log.levels.${entry.level}`)}</span>
                  <span className="ssh-log-event">{entry.event}</span>
                  <span className="ssh-log-target">{entry.target ?? ''}</span>
                  <span className="ssh-log-message">{entry.message}</span>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </section>
  );
}
