import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OpState } from '../../../shared/ops/state';
import { useOperations } from '../../stores/operations';
import { ConfirmDialog } from './ReasonDialog';
import { allowedCommands, type OpCommand } from './model/op-view';

/** Changes of the operation still in place, said plainly ("rc2 is drained in HAProxy — not undone"). */
export function PendingUndoPanel({ op, busy }: { op: OpState; busy: OpCommand | undefined }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  if (op.pendingUndo.length === 0) return null;
  const canUndo = allowedCommands(op).undo && !busy;
  const leftOnPurpose = new Set(op.finished?.leftAsIs ?? []);
  return (
    <section className="banner banner-warn op-pending-undo" aria-labelledby="pending-undo-title" data-testid="op-pending-undo">
      <h2 id="pending-undo-title" className="banner-title">
        {t(op.finished ? 'operations.pendingUndo.leftTitle' : 'operations.pendingUndo.title', { count: op.pendingUndo.length })}
      </h2>
      <ul>
        {op.pendingUndo.map((change) => (
          <li key={change.stepId} data-testid="op-pending-undo-item" data-step={change.stepId}>
            <strong>{change.host ? `${change.host}: ` : ''}{change.title}</strong>
            {' — '}
            {t(
              change.certainty === 'done'
                ? 'operations.pendingUndo.notUndone'
                : op.status === 'running' && op.currentStepIds.includes(change.stepId)
                  ? 'operations.pendingUndo.inProgress'
                  : 'operations.pendingUndo.maybe',
            )}
            {change.undoTitle && <span className="muted"> ({t('operations.pendingUndo.undoWould', { undo: change.undoTitle })})</span>}
            {leftOnPurpose.has(change.stepId) && <span className="muted"> · {t('operations.pendingUndo.leftOnPurpose')}</span>}
          </li>
        ))}
      </ul>
      {!op.finished && (
        <div className="op-pending-actions">
          <button type="button" className="button" data-testid="op-undo-pending" disabled={!canUndo} onClick={() => setConfirming(true)}>
            {t('operations.buttons.undo')}
          </button>
          {!canUndo && op.status === 'running' && <span className="muted">{t('operations.pendingUndo.whenStopped')}</span>}
        </div>
      )}
      {confirming && <UndoConfirm op={op} onClose={() => setConfirming(false)} />}
    </section>
  );
}

/** Lists exactly what the undo puts back, newest first, before it runs. */
export function UndoConfirm({ op, onClose }: { op: OpState; onClose(): void }) {
  const { t } = useTranslation();
  return (
    <ConfirmDialog
      title={t('operations.confirm.undoTitle')}
      confirmLabel={t('operations.buttons.undo')}
      onClose={onClose}
      onConfirm={async () => {
        onClose();
        await useOperations.getState().command(op.id, { command: 'undo' });
      }}
    >
      <p className="dialog-text">{t('operations.confirm.undoText', { count: op.pendingUndo.length })}</p>
      <ol className="op-undo-order">
        {op.pendingUndo.map((change) => (
          <li key={change.stepId}>{change.undoTitle ?? t('operations.pendingUndo.undoOf', { title: change.title })}</li>
        ))}
      </ol>
    </ConfirmDialog>
  );
}
