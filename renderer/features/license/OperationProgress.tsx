import { useTranslation } from 'react-i18next';
import { useNavigation } from '../../stores/navigation';
import { useOperationDetail } from '../../stores/operations';
import { OpStatusBadge, ProgressBar } from '../operations/OpStatusBadge';
import { OutputPanel } from '../operations/OutputPanel';
import { StepTimeline } from '../operations/StepTimeline';

/** One operation's live state from the operations store: its status, its steps and their output. */
export function OperationProgress({ opId, onOpen }: { opId: string; onOpen(): void }) {
  const { t } = useTranslation();
  const detail = useOperationDetail(opId);
  const op = detail?.state;

  return (
    <section className="license-progress" data-testid="license-progress" data-op={opId} data-status={op?.status ?? ''}>
      {detail?.loadError && (
        <p className="banner banner-error" role="alert">
          {t('license.progress.loadFailed', { error: detail.loadError })}
        </p>
      )}
      {!op && !detail?.loadError && <p className="muted">{t('license.progress.loading')}</p>}
      {op && (
        <>
          <div className="license-progress-head">
            <span className="license-progress-title">{op.title}</span>
            <OpStatusBadge status={op.status} />
            <ProgressBar done={op.progress.done} total={op.progress.total} failed={op.status === 'failed'} label={t('license.progress.label')} />
            <OpenOperationLink opId={opId} onOpen={onOpen} />
          </div>
          <div className="op-body license-op-body">
            <StepTimeline op={op} />
            <OutputPanel op={op} output={detail.output} outputOrder={detail.outputOrder} />
          </div>
        </>
      )}
    </section>
  );
}

/** The operation's own page, with pause, resume, abort and undo. */
export function OpenOperationLink({ opId, onOpen, testId = 'license-open-operation' }: { opId: string; onOpen(): void; testId?: string }) {
  const { t } = useTranslation();
  const openOperation = useNavigation((state) => state.openOperation);
  return (
    <button
      type="button"
      className="link-button"
      data-testid={testId}
      onClick={() => {
        onOpen();
        openOperation(opId);
      }}
    >
      {t('license.progress.open')}
    </button>
  );
}
