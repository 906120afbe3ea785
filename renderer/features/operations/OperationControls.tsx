import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InDoubtChoice } from '../../../shared/ops/records';
import type { OpState } from '../../../shared/ops/state';
import { useOperations } from '../../stores/operations';
import { allowedCommands, skipTarget, stepsNeedingDecision, type OpCommand } from './model/op-view';
import { UndoConfirm } from './PendingUndoPanel';
import { ConfirmDialog, ReasonDialog } from './ReasonDialog';

type Choice = InDoubtChoice | 'skip';
type Prompt = 'abort' | 'undo' | 'skip' | 'close' | 'decisions' | undefined;

/** Pause / Resume / Abort / Retry / Skip / Undo / Close, each enabled only when the state allows it. */
export function OperationControls({ op, busy }: { op: OpState; busy: OpCommand | undefined }) {
  const { t } = useTranslation();
  const [prompt, setPrompt] = useState<Prompt>();
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const allowed = allowedCommands(op);
  const target = skipTarget(op);
  const undecided = stepsNeedingDecision(op);
  const send = useOperations.getState().command;
  const close = () => setPrompt(undefined);
  const decided = undecided.every((step) => choices[step.id] !== undefined);
  const skippedByChoice = undecided.filter((step) => choices[step.id] === 'skip');

  /** In-doubt steps the admin chose to skip are skipped (with the reason) before resume takes the other choices. */
  const resume = async (reason?: string) => {
    close();
    for (const step of skippedByChoice) {
      if (!(await send(op.id, { command: 'skip', stepId: step.id, reason: reason ?? '' }))) return;
    }
    const decisions = undecided.flatMap((step) => {
      const choice = choices[step.id];
      return choice === 'rerun' || choice === 'mark-done' ? [{ stepId: step.id, choice }] : [];
    });
    await send(op.id, { command: 'resume', decisions });
  };

  const button = (command: OpCommand, onClick: () => void, className = 'button') => (
    <button type="button" className={className} data-testid={`op-button-${command}`} disabled={!allowed[command] || busy !== undefined || (command === 'resume' && !decided)} onClick={onClick}>
      {busy === command ? t('operations.sending') : t(`operations.buttons.${command}`)}
    </button>
  );

  return (
    <>
      <div className="op-controls" role="toolbar" aria-label={t('operations.controls')}>
        {button('pause', () => void send(op.id, { command: 'pause' }))}
        {button('resume', () => (skippedByChoice.length > 0 ? setPrompt('decisions') : void resume()), 'button button-primary')}
        {button('abort', () => setPrompt('abort'), 'button button-danger')}
        {button('retry', () => void send(op.id, { command: 'retry' }))}
        {button('skip', () => setPrompt('skip'))}
        {button('undo', () => setPrompt('undo'))}
        {button('close', () => setPrompt('close'))}
      </div>
      {allowed.resume && op.status === 'interrupted' && op.next.kind === 'continue' && (
        <p className="muted op-resume-will" data-testid="op-resume-will">
          {t('operations.resumeWill', { steps: op.next.steps.map((next) => `${titleOf(op, next.stepId)} (${t(`operations.does.${next.does}`)})`).join(', ') })}
        </p>
      )}
      {undecided.length > 0 && !op.finished && (
        <section className="banner banner-warn op-decisions" aria-labelledby="decisions-title" data-testid="op-decisions">
          <h2 id="decisions-title" className="banner-title">
            {t('operations.decisions.title')}
          </h2>
          <p>{t('operations.decisions.text')}</p>
          {undecided.map((step) => (
            <fieldset key={step.id} className="choice-group" data-testid="op-decision" data-step={step.id}>
              <legend>
                {step.host ? `${step.host}: ` : ''}
                {step.title}
              </legend>
              {(['rerun', 'mark-done', 'skip'] as const).map((choice) => (
                <label key={choice} className="chip">
                  <input
                    type="radio"
                    name={`decision-${step.id}`}
                    value={choice}
                    checked={choices[step.id] === choice}
                    onChange={() => setChoices((current) => ({ ...current, [step.id]: choice }))}
                  />
                  {t(`operations.decisions.${choice}`)}
                </label>
              ))}
            </fieldset>
          ))}
        </section>
      )}
      {prompt === 'abort' && (
        <ConfirmDialog title={t('operations.confirm.abortTitle')} confirmLabel={t('operations.buttons.abort')} danger onClose={close} onConfirm={async () => {
          close();
          await send(op.id, { command: 'abort' });
        }}>
          <p className="dialog-text">{t('operations.confirm.abortText')}</p>
          {op.pendingUndo.length > 0 && <p className="dialog-text">{t('operations.confirm.abortLeaves', { count: op.pendingUndo.length })}</p>}
        </ConfirmDialog>
      )}
      {prompt === 'undo' && <UndoConfirm op={op} onClose={close} />}
      {prompt === 'skip' && target && (
        <ReasonDialog
          title={t('operations.skipTitle')}
          text={t('operations.skipText', { step: target.title, host: target.host ?? '' })}
          confirmLabel={t('operations.buttons.skip')}
          onClose={close}
          onConfirm={async (reason) => {
            close();
            await send(op.id, { command: 'skip', stepId: target.id, reason });
          }}
        />
      )}
      {prompt === 'decisions' && (
        <ReasonDialog
          title={t('operations.skipTitle')}
          text={t('operations.skipText', { step: skippedByChoice.map((step) => step.title).join(', '), host: '' })}
          confirmLabel={t('operations.buttons.resume')}
          onClose={close}
          onConfirm={resume}
        />
      )}
      {prompt === 'close' && (
        <ReasonDialog
          title={t('operations.closeTitle')}
          text={t(op.pendingUndo.length > 0 ? 'operations.closeTextLeaves' : 'operations.closeText', { count: op.pendingUndo.length })}
          confirmLabel={t('operations.buttons.close')}
          onClose={close}
          onConfirm={async (reason) => {
            close();
            await send(op.id, { command: 'close', reason });
          }}
        />
      )}
    </>
  );
}

function titleOf(op: OpState, stepId: string): string {
  return op.steps.find((step) => step.id === stepId)?.title ?? stepId;
}
