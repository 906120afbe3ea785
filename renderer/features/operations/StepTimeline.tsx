import { useTranslation } from 'react-i18next';
import type { OpState, StepState } from '../../../shared/ops/state';
import type { Step } from '../../../shared/ops/plan';
import { useNow } from '../inspect/use-now';
import { formatDuration, stepDurationMs } from './model/op-view';

const icons: Record<StepState['status'], string> = {
  pending: '○',
  running: '◐',
  succeeded: '✓',
  failed: '✕',
  skipped: '↷',
  undone: '↺',
};

/** The plan as a timeline: batches, and in each its steps with their state, gate and duration. */
export function StepTimeline({ op }: { op: OpState }) {
  const { t } = useTranslation();
  const steps = new Map(op.steps.map((step) => [step.id, step]));
  return (
    <section className="op-timeline" aria-labelledby="op-timeline-title">
      <h2 id="op-timeline-title">{t('operations.timeline')}</h2>
      <ol className="op-batches">
        {op.plan.batches.map((batch) => (
          <li key={batch.id} className="op-batch" data-testid="op-batch" data-batch={batch.id}>
            <h3 className="op-batch-title">{batch.title}</h3>
            <ol className="op-steps">
              {batch.steps.map((planned) => {
                const step = steps.get(planned.id);
                return step ? <StepItem key={planned.id} step={step} planned={planned} current={op.currentStepIds.includes(planned.id)} /> : null;
              })}
            </ol>
          </li>
        ))}
      </ol>
    </section>
  );
}

function StepItem({ step, planned, current }: { step: StepState; planned: Step; current: boolean }) {
  const { t } = useTranslation();
  const now = useNow();
  const took = stepDurationMs(step, now);
  return (
    <li
      className={`op-step op-step-${step.status}${current ? ' op-step-current' : ''}`}
      data-testid="op-step"
      data-step={step.id}
      data-state={step.status}
      aria-current={current ? 'step' : undefined}
    >
      <span className="op-step-icon" aria-hidden="true">
        {icons[step.status]}
      </span>
      <div className="op-step-body">
        <div className="op-step-head">
          <span className="op-step-title">{step.title}</span>
          {step.host && <span className="mono muted">{step.host}</span>}
          <span className="visually-hidden">{t(`operations.stepStatus.${step.status}`)}</span>
          {step.phase && step.status === 'running' && <span className="badge">{t(`operations.phase.${step.phase}`)}</span>}
          {step.inDoubt && <span className="badge op-badge-failed">{t('operations.inDoubt')}</span>}
          {step.alreadyDone && <span className="badge">{t('operations.alreadyDone')}</span>}
          <span className="spacer" />
          <span className="numeric muted op-step-time">
            {took !== undefined && formatDuration(took)}
            {step.expectedMs !== undefined && ` ${t('operations.expected', { duration: formatDuration(step.expectedMs) })}`}
          </span>
        </div>
        {step.description && <p className="op-step-text">{step.description}</p>}
        {step.gate && (
          <p className="op-step-text" data-testid="op-gate" data-gate={step.gate.status}>
            {t('operations.gate', {
              kind: planned.gate?.kind ?? '',
              status: t(`operations.gateStatus.${step.gate.status}`),
              attempts: step.gate.attempts,
              timeout: formatDuration(step.gate.timeoutMs),
            })}
            {step.gate.detail && <span className="mono"> — {step.gate.detail}</span>}
          </p>
        )}
        {step.serving && <p className="op-step-text muted">{step.serving}</p>}
        {step.error && (
          <p className="op-step-text op-step-error mono" role="alert">
            {step.error.message}
          </p>
        )}
        {step.skipped && <p className="op-step-text muted">{t('operations.skippedBecause', { by: step.skipped.by, reason: step.skipped.reason })}</p>}
        {step.markedDoneBy && <p className="op-step-text muted">{t('operations.markedDoneBy', { by: step.markedDoneBy })}</p>}
        {step.attempts > 1 && <p className="op-step-text muted">{t('operations.attempts', { count: step.attempts })}</p>}
        {step.undo !== 'none' && step.undo !== 'not-needed' && (
          <p className={step.undo === 'pending' || step.undo === 'failed' ? 'op-step-text op-step-undo-pending' : 'op-step-text muted'} data-testid="op-step-undo" data-undo={step.undo}>
            {t(`operations.undoStatus.${step.undo}`, { undo: step.undoTitle ?? '' })}
          </p>
        )}
      </div>
    </li>
  );
}
