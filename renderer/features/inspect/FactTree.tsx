import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

const MAX_ITEMS = 40;
/** Nested objects and lists longer than this start folded, so one probe (meminfo) does not push the rest off screen. */
const FOLD_OVER = 8;

/** A probe's parsed value as a compact key/value tree. */
export function FactTree({ value }: { value: unknown }) {
  return <FactValue value={value} depth={0} />;
}

function isScalar(value: unknown): value is string | number | boolean | null | undefined {
  return value === null || typeof value !== 'object';
}

function Folded({ depth, size, summary, children }: { depth: number; size: number; summary: string; children: ReactNode }) {
  if (depth === 0 || size <= FOLD_OVER) return children;
  return (
    <details className="fact-fold">
      <summary>{summary}</summary>
      {children}
    </details>
  );
}

function FactValue({ value, depth }: { value: unknown; depth: number }) {
  const { t } = useTranslation();
  if (isScalar(value)) return <Scalar value={value} />;
  const more = (count: number) => count > MAX_ITEMS && <span className="muted">{t('inspect.node.moreItems', { n: count - MAX_ITEMS })}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">[]</span>;
    const short = value.length <= FOLD_OVER && value.reduce<number>((length, item) => length + String(item).length, 0) <= 120;
    if (value.every(isScalar) && !short) {
      // Log lines, package lists…: one per line, folded below the top level.
      return (
        <Folded depth={depth} size={value.length} summary={t('inspect.node.itemCount', { count: value.length })}>
          <ul className="fact-lines">
            {value.slice(0, MAX_ITEMS).map((item, index) => (
              <li key={index}>
                <Scalar value={item} />
              </li>
            ))}
            {value.length > MAX_ITEMS && <li>{more(value.length)}</li>}
          </ul>
        </Folded>
      );
    }
    if (value.every(isScalar)) {
      return (
        <span className="fact-scalar">
          {value.slice(0, MAX_ITEMS).map((item, index) => (
            <span key={index}>
              {index > 0 && ', '}
              <Scalar value={item} />
            </span>
          ))}{' '}
          {more(value.length)}
        </span>
      );
    }
    return (
      <Folded depth={depth} size={value.length} summary={t('inspect.node.itemCount', { count: value.length })}>
        <ol className="fact-list" start={0}>
          {value.slice(0, MAX_ITEMS).map((item, index) => (
            <li key={index}>
              <FactValue value={item} depth={depth + 1} />
            </li>
          ))}
          {value.length > MAX_ITEMS && <li className="fact-more">{more(value.length)}</li>}
        </ol>
      </Folded>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="muted">{'{}'}</span>;
  return (
    <Folded depth={depth} size={entries.length} summary={t('inspect.node.fieldCount', { count: entries.length })}>
      <dl className="fact-tree">
        {entries.slice(0, MAX_ITEMS).map(([key, item]) => (
          <div key={key} className="fact-entry">
            <dt>{key}</dt>
            <dd>
              <FactValue value={item} depth={depth + 1} />
            </dd>
          </div>
        ))}
        {more(entries.length)}
      </dl>
    </Folded>
  );
}

function Scalar({ value }: { value: string | number | boolean | null | undefined }) {
  const { t } = useTranslation();
  if (value === null || value === undefined) return <span className="muted">null</span>;
  if (value === '') return <span className="muted">{t('inspect.node.empty')}</span>;
  return <span className={typeof value === 'string' ? 'fact-string' : 'fact-literal'}>{String(value)}</span>;
}
