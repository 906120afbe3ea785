import { useTranslation } from 'react-i18next';
import type { RestartPlanResult } from '../../../shared/contract/restart';
import { planSteps } from '../../../shared/ops/plan';
import { formatDuration } from '../operations/model/op-view';
import { actionLines } from './plan-view';

/** Every batch and step of a plan, exactly as it would run; refusals block the start, warnings do not. */
export function PlanPreview({ result }: { result: RestartPlanResult }) {
  const { t } = useTranslation();
  const { plan, refusals, warnings } = result;
  const total = planSteps(plan).reduce((sum, { step }) => sum + (step.expectedMs ?? 0), 0);
  return (
    <section className="restart-plan" aria-labelledby="restart-plan-title" data-testid="restart-plan-view">
      <h3 id="restart-plan-title">{t('restart.planTitle', { steps: planSteps(plan).length, duration: formatDuration(total) })}</h3>
      {refusals.length > 0 && (
        <div className="banner banner-error" role="alert" data-testid="restart-refusals">
          <p className="banner-title">{t('restart.refused')}</p>
          <ul>
            {refusals.map((refusal) => (
              <li key={refusal}>{refusal}</li>
            ))}
          </ul>
        </div>
      )}
      {warnings.length > 0 && (
        <div className="banner banner-warn" data-testid="restart-warnings">
          <p className="banner-title">{t('restart.warnings')}</p>
          <ul>
            {warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
      <ol className="restart-batches">
        {plan.batches.map((batch, index) => (
          <li key={batch.id} className="restart-batch">
            <h4>
              {t('restart.batch', { number: index + 1 })}: {batch.title}
              {batch.maxParallel !== undefined && batch.maxParallel > 1 && <span className="muted"> · {t('restart.parallel', { count: batch.maxParallel })}</span>}
            </h4>
            <ol className="restart-steps">
              {batch.steps.map((step) => (
                <li key={step.id} className="restart-step" data-testid="restart-plan-step" data-step={step.id} data-host={step.host}>
                  <div className="restart-step-head">
                    <span className="restart-step-title">{step.title}</span>
                    {step.host && <span className="mono muted">{step.host}</span>}
                    <span className="spacer" />
                    {step.expectedMs !== undefined && <span className="muted numeric">{t('restart.expected', { duration: formatDuration(step.expectedMs) })}</span>}
                  </div>
                  {step.description && <p className="restart-step-text">{step.description}</p>}
                  <pre className="restart-command" data-testid="restart-command">
                    {actionLines(step.action).join('\n')}
                  </pre>
                  {step.gate && (
                    <p className="restart-step-text" data-testid="restart-gate">
                      {t('restart.gate', { kind: step.gate.kind, timeout: formatDuration(step.gate.timeoutMs) })}
                      <span className="mono muted"> {actionLines(step.gate).join('; ')}</span>
                    </p>
                  )}
                  {step.undoTitle && <p className="restart-step-text muted">{t('restart.undo', { undo: step.undoTitle })}</p>}
                  {step.serving && (
                    <p className="restart-step-text restart-serving" data-testid="restart-serving">
                      {step.serving}
                    </p>
                  )}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </section>
  );
}
