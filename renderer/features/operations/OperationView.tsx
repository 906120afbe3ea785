import { useTranslation } from 'react-i18next';
import type { OpState } from '../../../shared/ops/state';
import { useNavigation } from '../../stores/navigation';
import { useOperationDetail } from '../../stores/operations';
import { NodeProgressList } from './NodeProgressList';
import { OperationControls } from './OperationControls';
import { OpStatusBadge, ProgressBar, useTimeFormat } from './OpStatusBadge';
import { OutputPanel } from './OutputPanel';
import { PendingUndoPanel } from './PendingUndoPanel';
import { StepTimeline } from './StepTimeline';
import { Breadcrumb } from '../../ui/Breadcrumb';

/** One operation: where it is, what it left in place, what can be done next, and its live output. */
export function OperationView({ opId }: { opId: string }) {
  const { t } = useTranslation();
  const go = useNavigation((state) => state.go);
  const detail = useOperationDetail(opId);
  const op = detail?.state;

  return (
    <section className="op-page" aria-labelledby="page-title" data-testid="op-page" data-op={opId}>
      <Breadcrumb label={t('operations.backToList')} navLabel={t('operations.breadcrumb')} onBack={() => go('operations')} testId="back-to-operations" />
      {detail?.loadError && (
        <p className="banner banner-error" role="alert">
          {t('operations.loadFailed', { error: detail.loadError })}
        </p>
      )}
      {!op && !detail?.loadError && <p className="muted">{t('operations.loading')}</p>}
      {op && (
        <>
          <OperationHeader op={op} />
          <StopBanner op={op} />
          {detail.commandError && (
            <p className="banner banner-error" role="alert" data-testid="op-command-error">
              {detail.commandError}
            </p>
          )}
          <OperationControls op={op} busy={detail.busy} />
          <PendingUndoPanel op={op} busy={detail.busy} />
          <NodeProgressList op={op} />
          <div className="op-body">
            <StepTimeline op={op} />
            <OutputPanel op={op} output={detail.output} outputOrder={detail.outputOrder} />
          </div>
        </>
      )}
    </section>
  );
}

function OperationHeader({ op }: { op: OpState }) {
  const { t } = useTranslation();
  const openCluster = useNavigation((state) => state.openCluster);
  const time = useTimeFormat();
  return (
    <header className="op-header">
      <div className="op-title-row">
        <h1 id="page-title" className="op-title">
          {op.title}
        </h1>
        <OpStatusBadge status={op.status} />
        {op.mode === 'undo' && <span className="badge">{t('operations.undoMode')}</span>}
        <ProgressBar done={op.progress.done} total={op.progress.total} failed={op.status === 'failed'} label={t('operations.progressLabel')} />
      </div>
      <dl className="facts op-facts">
        <dt>{t('operations.columns.cluster')}</dt>
        <dd>
          <button type="button" className="link-button" onClick={() => openCluster(op.cluster)}>
            {op.cluster}
          </button>
        </dd>
        <dt>{t('operations.columns.kind')}</dt>
        <dd className="mono">{op.kind}</dd>
        <dt>{t('operations.columns.actor')}</dt>
        <dd>{t('operations.actorOnHost', { actor: op.actor, host: op.host })}</dd>
        <dt>{t('operations.columns.started')}</dt>
        <dd>{time(op.createdAt)}</dd>
        <dt>{t('operations.onGateFailure')}</dt>
        <dd>{t(`operations.gateFailurePolicy.${op.policy.onGateFailure}`)}</dd>
      </dl>
      {op.pauseRequested && op.status === 'running' && <p className="banner banner-warn">{t('operations.pauseRequested')}</p>}
      {op.abortRequested && op.status === 'running' && <p className="banner banner-warn">{t('operations.abortRequested')}</p>}
      {op.elsewhere && <p className="banner banner-warn">{t('operations.elsewhere', { host: op.elsewhere.host, pid: op.elsewhere.pid })}</p>}
    </header>
  );
}

/** Why a stopped operation stopped, and where; how a finished one ended. */
function StopBanner({ op }: { op: OpState }) {
  const { t } = useTranslation();
  const time = useTimeFormat();
  if (op.finished) {
    const left = op.finished.leftAsIs?.length ?? 0;
    return (
      <div className={op.finished.outcome === 'succeeded' ? 'banner op-banner-ok' : 'banner banner-warn'} data-testid="op-finished" role="status">
        <p>{t(`operations.finished.${op.finished.outcome}`, { time: time(op.finished.at) })}</p>
        {op.finished.reason && <p>{t('operations.closedBecause', { by: op.finished.by ?? '', reason: op.finished.reason })}</p>}
        {left > 0 && <p>{t('operations.leftAsIs', { count: left })}</p>}
      </div>
    );
  }
  if (!op.stoppedAt || op.status === 'running') return null;
  const step = op.steps.find((candidate) => candidate.id === op.stoppedAt?.stepId);
  const where = { step: step?.title ?? op.stoppedAt.stepId, host: step?.host ?? '', phase: t(`operations.phase.${op.stoppedAt.phase}`) };
  return (
    <div className={op.status === 'failed' ? 'banner banner-error' : 'banner banner-warn'} data-testid="op-stopped" data-step={op.stoppedAt.stepId} role="status">
      <p className="banner-title">{t(`operations.stoppedAt.${op.status}`, where)}</p>
      {step?.error && <p className="mono">{step.error.message}</p>}
      {step?.gate?.status === 'failed' && step.gate.detail && <p className="mono">{step.gate.detail}</p>}
      {op.status === 'interrupted' && <p>{t('operations.interruptedHint')}</p>}
    </div>
  );
}
