import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { PendingHostKeyItem } from '../../../shared/contract';
import { Fingerprint } from './Fingerprint';
import { hostPort } from './host-key-change';

const ESTIMATED_ROW = 76;

interface PendingHostKeyListProps {
  items: readonly PendingHostKeyItem[];
  selected: ReadonlySet<string>;
  onToggle(id: string, checked: boolean): void;
}

/** The waiting keys, virtualised: an inventory of hundreds of new hosts must stay usable. */
export function PendingHostKeyList({ items, selected, onToggle }: PendingHostKeyListProps) {
  const { t, i18n } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 8,
  });

  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'medium' });
  return (
    <div ref={scroller} className="ssh-key-scroller" data-testid="pending-host-keys">
      <ul className="ssh-key-list" style={{ height: rows.getTotalSize() }} aria-label={t('ssh.keys.listLabel')}>
        {rows.getVirtualItems().map((row) => {
          const item = items[row.index];
          if (!item) return null;
          const target = hostPort(item.host, item.port);
          const checkboxId = `host-key-${item.id}`;
          return (
            <li
              key={item.id}
              ref={rows.measureElement}
              data-index={row.index}
              className="ssh-key-row"
              data-testid="pending-host-key"
              data-target={target}
              aria-setsize={items.length}
              aria-posinset={row.index + 1}
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <input
                id={checkboxId}
                type="checkbox"
                checked={selected.has(item.id)}
                onChange={(event) => onToggle(item.id, event.target.checked)}
                aria-label={t('ssh.keys.selectOne', { target })}
              />
              <div className="ssh-key-main">
                <div className="ssh-key-head">
                  <label htmlFor={checkboxId} className="ssh-key-target" data-testid="host-key-target">
                    {target}
                  </label>
                  <span className="badge ssh-key-type" data-testid="host-key-type">
                    {item.keyType}
                  </span>
                  <time className="muted ssh-key-time" dateTime={item.requestedAt}>
                    {time.format(new Date(item.requestedAt))}
                  </time>
                </div>
                <Fingerprint value={item.fingerprint} testId="host-key-fingerprint" />
                {(item.via || item.knownTypes.length > 0) && (
                  <div className="ssh-key-notes">
                    {item.via && <span className="muted">{t('ssh.keys.via', { via: item.via })}</span>}
                    {item.knownTypes.length > 0 && (
                      <span className="ssh-key-known-types">{t('ssh.keys.knownTypes', { types: item.knownTypes.join(', ') })}</span>
                    )}
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
