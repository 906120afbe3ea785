import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { OpSummary } from '../../../shared/ops/state';
import { EmptyState } from '../../app/EmptyState';
import { useNavigation } from '../../stores/navigation';
import { useOperations } from '../../stores/operations';
import { byNewest, isOpen } from './model/op-view';
import { OpStatusBadge, ProgressBar, useTimeFormat } from './OpStatusBadge';

/** Operations still waiting for the admin (running, paused, interrupted, stopped) above the finished ones. */
export function OperationList() {
  const { t } = useTranslation();
  const { ops, listLoaded, listError, loadList } = useOperations();

  useEffect(() => {
    void loadList();
  }, [loadList]);

  const [open, finished] = useMemo(() => {
    const all = Object.values(ops).sort(byNewest);
    return [all.filter(isOpen), all.filter((op) => !isOpen(op))];
  }, [ops]);

  return (
    <section aria-labelledby="page-title" data-testid="page-operations">
      <h1 id="page-title">{t('operations.title')}</h1>
      {listError && (
        <p className="banner banner-error" role="alert">
          {t('operations.listFailed', { error: listError })}
        </p>
      )}
      {listLoaded && open.length === 0 && finished.length === 0 && !listError && (
        <EmptyState title={t('operations.empty')} hint={t('operations.emptyHint')} />
      )}
      {open.length > 0 && <OperationTable title={t('operations.openTitle')} ops={open} />}
      {finished.length > 0 && <OperationTable title={t('operations.finishedTitle')} ops={finished} />}
    </section>
  );
}

function OperationTable({ title, ops }: { title: string; ops: OpSummary[] }) {
  const { t } = useTranslation();
  const openOperation = useNavigation((state) => state.openOperation);
  const time = useTimeFormat();
  return (
    <>
      <h2>{title}</h2>
      <div className="table-scroll">
        <table className="data-table op-table">
          <thead>
            <tr>
              <th scope="col">{t('operations.columns.operation')}</th>
              <th scope="col">{t('operations.columns.status')}</th>
              <th scope="col">{t('operations.columns.cluster')}</th>
              <th scope="col">{t('operations.columns.kind')}</th>
              <th scope="col">{t('operations.columns.actor')}</th>
              <th scope="col">{t('operations.columns.progress')}</th>
              <th scope="col">{t('operations.columns.started')}</th>
            </tr>
          </thead>
          <tbody>
            {ops.map((op) => (
              <tr key={op.id} data-testid="op-row" data-op={op.id} data-status={op.status}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => openOperation(op.id)}>
                    {op.title}
                  </button>
                  {op.pendingUndoCount > 0 && (
                    <span className="op-undo-count" title={t('operations.pendingUndoCount', { count: op.pendingUndoCount })}>
                      {t('operations.pendingUndoCount', { count: op.pendingUndoCount })}
                    </span>
                  )}
                </th>
                <td>
                  <OpStatusBadge status={op.status} />
                </td>
                <td>{op.cluster}</td>
                <td className="mono">{op.kind}</td>
                <td>{t('operations.actorOnHost', { actor: op.actor, host: op.host })}</td>
                <td>
                  <ProgressBar done={op.progress.done} total={op.progress.total} failed={op.status === 'failed'} label={t('operations.progressLabel')} />
                </td>
                <td className="numeric">{time(op.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
