import { memo, useCallback, useId, useMemo, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { HostState } from '../../../shared/contract/inspect';
import type { Finding } from '../../../shared/stacks/findings';
import { formatLoad, formatPercent, formatUptime } from './model/format';
import { findingsByHost, type FindingCounts } from './model/inspection';
import { nodeListRows, type NodeListRow } from './model/node-rows';
import { SeverityCounts } from './SeverityCounts';
import { StatusBadge } from './StatusBadge';

const GROUP_HEIGHT = 34;
const NODE_HEIGHT = 52;
const PAGE = 10;

interface NodeListProps {
  cluster: string;
  hosts: readonly HostState[];
  findings: readonly Finding[];
  query: string;
  activeHost: string | undefined;
  onActiveHost(name: string): void;
  onOpenHost(name: string): void;
}

const noFindings: FindingCounts = { P1: 0, P2: 0, P3: 0 };

/**
 * The cluster's nodes grouped by role, virtualised (only the visible rows exist, so 500
 * nodes scroll smoothly). One tab stop: arrow keys move the active node
 * (aria-activedescendant), Enter opens it.
 */
export function NodeList({ cluster, hosts, findings, query, activeHost, onActiveHost, onOpenHost }: NodeListProps) {
  const { t } = useTranslation();
  const idPrefix = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => nodeListRows(hosts, query), [hosts, query]);
  const counts = useMemo(() => findingsByHost(findings), [findings]);
  const nodeRowIndexes = useMemo(() => rows.flatMap((row, index) => (row.kind === 'node' ? [index] : [])), [rows]);
  const activeRow = rows.findIndex((row) => row.kind === 'node' && row.host.name === activeHost);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (rows[index]?.kind === 'group' ? GROUP_HEIGHT : NODE_HEIGHT),
    getItemKey: (index) => rowKey(rows[index]),
    overscan: 8,
  });

  const activate = (rowIndex: number | undefined) => {
    const row = rowIndex === undefined ? undefined : rows[rowIndex];
    if (rowIndex === undefined || row?.kind !== 'node') return;
    onActiveHost(row.host.name);
    virtualizer.scrollToIndex(rowIndex, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const position = nodeRowIndexes.indexOf(activeRow);
    const last = nodeRowIndexes.length - 1;
    const target: Record<string, number> = {
      ArrowDown: position < 0 ? 0 : Math.min(last, position + 1),
      ArrowUp: position < 0 ? 0 : Math.max(0, position - 1),
      PageDown: Math.min(last, Math.max(0, position) + PAGE),
      PageUp: Math.max(0, position - PAGE),
      Home: 0,
      End: last,
    };
    if (event.key in target) {
      event.preventDefault();
      activate(nodeRowIndexes[target[event.key] ?? 0]);
    } else if (event.key === 'Enter' && activeRow >= 0 && activeHost) {
      event.preventDefault();
      onOpenHost(activeHost);
    }
  };

  const onFocus = () => {
    if (activeRow < 0) activate(nodeRowIndexes[0]);
  };

  const open = useCallback(
    (name: string) => {
      onActiveHost(name);
      onOpenHost(name);
    },
    [onActiveHost, onOpenHost],
  );

  if (hosts.length === 0) return <p className="empty-hint">{t('inspect.nodes.none')}</p>;

  const optionId = (name: string) => `${idPrefix}-node-${name}`;
  return (
    <div className="node-list" data-testid="node-list">
      <div className="node-row node-columns" aria-hidden="true">
        <span>{t('inspect.columns.status')}</span>
        <span>{t('inspect.columns.node')}</span>
        <span>{t('inspect.columns.roles')}</span>
        <span>{t('inspect.columns.version')}</span>
        <span className="numeric">{t('inspect.columns.uptime')}</span>
        <span className="numeric">{t('inspect.columns.load')}</span>
        <span className="numeric">{t('inspect.columns.memory')}</span>
        <span>{t('inspect.columns.findings')}</span>
      </div>
      {rows.length === 0 ? (
        <p className="node-list-empty" data-testid="node-list-no-match">
          {t('inspect.nodes.noMatch', { query })}
        </p>
      ) : (
        <div
          ref={scrollRef}
          className="node-scroll"
          role="listbox"
          tabIndex={0}
          aria-label={t('inspect.nodes.listLabel', { name: cluster })}
          aria-activedescendant={activeRow >= 0 && activeHost ? optionId(activeHost) : undefined}
          data-testid="node-listbox"
          onKeyDown={onKeyDown}
          onFocus={onFocus}
        >
          <div className="node-scroll-inner" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              if (row.kind === 'group') {
                return (
                  <div key={item.key} role="presentation" className="node-group" data-testid="node-group" data-category={row.category}
                    style={{ transform: `translateY(${item.start}px)`, height: item.size }}>
                    {t(`inspect.categories.${row.category}`)} <span className="muted">({row.count})</span>
                  </div>
                );
              }
              const hostCounts = counts.get(row.host.name) ?? noFindings;
              return (
                <NodeRow
                  key={item.key}
                  id={optionId(row.host.name)}
                  host={row.host}
                  top={item.start}
                  active={item.index === activeRow}
                  position={nodeRowIndexes.indexOf(item.index) + 1}
                  setSize={nodeRowIndexes.length}
                  p1={hostCounts.P1}
                  p2={hostCounts.P2}
                  p3={hostCounts.P3}
                  onOpen={open}
                />
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}

function rowKey(row: NodeListRow | undefined): string {
  if (!row) return '';
  return row.kind === 'group' ? `group:${row.category}` : `node:${row.host.name}`;
}

interface NodeRowProps {
  id: string;
  host: HostState;
  top: number;
  active: boolean;
  position: number;
  setSize: number;
  p1: number;
  p2: number;
  p3: number;
  onOpen(name: string): void;
}

/** Props are primitives and the host object (kept while unchanged), so a round re-renders only the nodes that moved. */
const NodeRow = memo(function NodeRow({ id, host, top, active, position, setSize, p1, p2, p3, onOpen }: NodeRowProps) {
  const { t } = useTranslation();
  const dash = <span className="muted">—</span>;
  return (
    <div
      id={id}
      role="option"
      aria-selected={active}
      aria-posinset={position}
      aria-setsize={setSize}
      className={active ? 'node-row node-item node-item-active' : 'node-row node-item'}
      data-testid="node-row"
      data-host={host.name}
      data-status={host.status}
      style={{ transform: `translateY(${top}px)`, height: NODE_HEIGHT }}
      onClick={() => onOpen(host.name)}
    >
      <span>
        <StatusBadge status={host.status} />
      </span>
      <span className="node-name-cell">
        <span className="node-name">{host.name}</span>
        <span className="node-address mono">{host.address}</span>
      </span>
      <span className="node-roles mono" title={host.roles.join(', ')}>
        {host.roles.join(', ')}
      </span>
      <span data-testid="node-version">{host.version ?? dash}</span>
      <span className="numeric" data-testid="node-uptime">
        {host.uptimeSeconds === undefined ? dash : formatUptime(host.uptimeSeconds, t)}
      </span>
      <span className="numeric" data-testid="node-load">
        {host.load1 === undefined ? dash : formatLoad(host.load1)}
      </span>
      <span className="numeric" data-testid="node-memory">
        {host.memUsedPercent === undefined ? dash : formatPercent(host.memUsedPercent)}
      </span>
      <span className="node-findings">
        <SeverityCounts counts={{ P1: p1, P2: p2, P3: p3 }} />
      </span>
    </div>
  );
});
