import { useTranslation } from 'react-i18next';
import type { OpState } from '../../../shared/ops/state';
import { nodeProgress } from './model/op-view';
import { ProgressBar } from './OpStatusBadge';

/** One bar per node: its steps done out of its steps, and what it is doing now. */
export function NodeProgressList({ op }: { op: OpState }) {
  const { t } = useTranslation();
  const nodes = nodeProgress(op);
  if (nodes.length === 0) return null;
  return (
    <section aria-labelledby="op-nodes-title">
      <h2 id="op-nodes-title">{t('operations.nodes')}</h2>
      <ul className="op-nodes">
        {nodes.map((node) => (
          <li key={node.host} className="op-node" data-testid="op-node" data-host={node.host} data-done={node.done} data-total={node.total}>
            <span className="op-node-name mono">{node.host}</span>
            <ProgressBar done={node.done} total={node.total} failed={node.failed} label={t('operations.nodeProgress', { host: node.host })} />
            <span className="muted op-node-current">{node.current ? node.current.title : node.done === node.total ? t('operations.nodeDone') : ''}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
