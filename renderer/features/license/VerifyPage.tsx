import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LicenseBackup } from '../../../shared/contract/license';
import { shortFingerprint } from '../../../shared/license/parse';
import { api } from '../../api/client';
import { useOperations } from '../../stores/operations';
import { errorMessage } from '../../ui/error-message';
import { TypedNameField } from '../../ui/TypedNameField';
import { OpStatusBadge, ProgressBar } from '../operations/OpStatusBadge';
import { formatTime } from '../rollback/rollback-view';
import { RestartPreviewDialog } from '../restart/RestartPreviewDialog';
import { PlanLines } from './CheckPage';
import { DEFAULT_GRACE_SECONDS, isFileStack, revertPlanLines, verificationProgress, type CheckedLicense } from './license-view';
import { OpenOperationLink } from './OperationProgress';
import type { VerificationState } from './use-license-verification';
import { VerificationTable } from './VerificationTable';

/** The operation the wizard started: applying the chosen license, or putting the backup back. */
export interface LicenseRun {
  kind: 'apply' | 'revert';
  opId: string;
  /** The backup this operation made of what was stored before it. */
  backupId: string;
  /** The license the nodes should run afterwards (none: no license). */
  fingerprint: string | undefined;
  /** How long the verification waits for the nodes; a revert waits as long. */
  graceSeconds?: number | undefined;
}

/** Whether an operation is still running (it holds the cluster's lock meanwhile). */
function useRunning(opId: string | undefined): boolean {
  return useOperations((state) => (opId === undefined ? false : (state.ops[opId]?.status ?? 'running') === 'running'));
}

/**
 * Step 4: every node, read every 2 s, turning green as it runs the license. Nodes that stay on
 * the old license get "Restart these N nodes" (a staged restart of just them); the backup can be
 * put back with "Revert to previous license".
 */
export function VerifyPage({
  cluster,
  production,
  run,
  check,
  state,
  onRevertStarted,
  onLeave,
}: {
  cluster: string;
  production: boolean;
  run: LicenseRun;
  check: CheckedLicense;
  state: VerificationState;
  onRevertStarted(run: LicenseRun): void;
  /** The wizard closes when the admin goes to the Operations page. */
  onLeave(): void;
}) {
  const { t } = useTranslation();
  const { verification, error } = state;
  const [restartOpId, setRestartOpId] = useState<string>();
  const runRunning = useRunning(run.opId);
  const restartRunning = useRunning(restartOpId);
  const busy = runRunning || restartRunning;
  const progress = verification ? verificationProgress(verification) : undefined;
  // A file stack's hosts read the file when their unit restarts, which the operation already did.
  const fileStack = isFileStack(check);

  return (
    <div className="license-page" data-testid="license-verify" data-kind={run.kind}>
      <RunLine opId={run.opId} label={t(`license.verify.run.${run.kind}`, { license: shortFingerprint(run.fingerprint) })} onLeave={onLeave} testId="license-run" />
      {error && (
        <p className="banner banner-error" role="alert" data-testid="license-verify-error">
          {t('license.verify.failed', { error })}
        </p>
      )}
      {!verification && !error && <p className="muted">{t('license.verify.reading')}</p>}
      {verification && progress && (
        <>
          {!fileStack && <StoredLine verification={verification} />}
          {progress.allApplied ? (
            <p className="banner license-success" role="status" data-testid="license-verify-success">
              {t('license.verify.success', { count: progress.total })}
            </p>
          ) : (
            <p className="license-verify-count" data-testid="license-verify-count" data-applied={progress.applied}>
              {t('license.verify.count', { applied: progress.applied, total: progress.total })}
            </p>
          )}
          <VerificationTable verification={verification} />
          {verification.stale.length > 0 && !fileStack && (
            <StaleNodes cluster={cluster} stale={verification.stale} busy={busy} onRestartStarted={setRestartOpId} />
          )}
        </>
      )}
      {restartOpId !== undefined && (
        <RunLine opId={restartOpId} label={t('license.verify.restartRun')} onLeave={onLeave} testId="license-restart-run" />
      )}
      {run.kind === 'apply' && (
        <RevertPanel cluster={cluster} production={production} run={run} check={check} busy={busy} storedMatches={verification?.storedMatches} status={verification?.status} onStarted={onRevertStarted} />
      )}
    </div>
  );
}

/** One operation in a line: its title, status and progress, and the way to its own page. */
function RunLine({ opId, label, onLeave, testId }: { opId: string; label: string; onLeave(): void; testId: string }) {
  const { t } = useTranslation();
  const summary = useOperations((state) => state.ops[opId]);
  useEffect(() => {
    if (!useOperations.getState().ops[opId]) void useOperations.getState().load(opId);
  }, [opId]);
  return (
    <p className="license-run" data-testid={testId} data-op={opId} data-status={summary?.status ?? ''}>
      <span>{label}</span>
      {summary ? (
        <>
          <OpStatusBadge status={summary.status} />
          <ProgressBar done={summary.progress.done} total={summary.progress.total} failed={summary.status === 'failed'} label={t('license.progress.label')} />
        </>
      ) : (
        <span className="muted">{t('license.progress.loading')}</span>
      )}
      <OpenOperationLink opId={opId} onOpen={onLeave} testId={`${testId}-open`} />
    </p>
  );
}

/** What MongoDB stores, and the workspace's air-gapped countdown. */
function StoredLine({ verification }: { verification: NonNullable<VerificationState['verification']> }) {
  const { t } = useTranslation();
  return (
    <dl className="facts license-stored" data-testid="license-stored" data-matches={String(verification.storedMatches ?? '')}>
      <dt>{t('license.verify.status')}</dt>
      <dd>{verification.status ?? t('license.verify.unknown')}</dd>
      {verification.storedMatches !== undefined && (
        <>
          <dt>{t('license.verify.stored')}</dt>
          <dd className={verification.storedMatches ? undefined : 'license-bad'}>{verification.storedMatches ? t('license.verify.storedMatches') : t('license.verify.storedOther')}</dd>
        </>
      )}
      {verification.airGappedDays !== undefined && (
        <>
          <dt>{t('license.verify.airGapped')}</dt>
          <dd>
            {verification.airGappedDays < 0
              ? t('license.verify.unrestricted')
              : verification.airGappedDays === 0
                ? t('license.verify.restricted')
                : t('license.verify.daysBeforeReadOnly', { count: verification.airGappedDays })}
          </dd>
        </>
      )}
    </dl>
  );
}

/** "Restart these N nodes": the staged-restart preview with just those nodes selected. */
function StaleNodes({ cluster, stale, busy, onRestartStarted }: { cluster: string; stale: string[]; busy: boolean; onRestartStarted(opId: string): void }) {
  const { t } = useTranslation();
  const [previewing, setPreviewing] = useState(false);
  return (
    <section className="license-stale" data-testid="license-stale" data-nodes={stale.join(' ')}>
      <p>{t('license.verify.staleText', { count: stale.length, nodes: stale.join(', ') })}</p>
      <div className="license-stale-actions">
        <button type="button" className="button button-primary" data-testid="license-restart-stale" disabled={busy} onClick={() => setPreviewing(true)}>
          {t('license.verify.restartStale', { count: stale.length })}
        </button>
        {busy && <span className="muted">{t('license.verify.waitForOperation')}</span>}
      </div>
      {previewing && (
        <RestartPreviewDialog
          cluster={cluster}
          initialRoles={['rocketchat']}
          initialNodes={stale}
          onStarted={(opId) => {
            setPreviewing(false);
            onRestartStarted(opId);
          }}
          onClose={() => setPreviewing(false)}
        />
      )}
    </section>
  );
}

/** "Revert to previous license": what it does, exactly, then the production name, then the operation. */
function RevertPanel({
  cluster,
  production,
  run,
  check,
  busy,
  storedMatches,
  status,
  onStarted,
}: {
  cluster: string;
  production: boolean;
  run: LicenseRun;
  check: CheckedLicense;
  busy: boolean;
  storedMatches: boolean | undefined;
  status: string | undefined;
  onStarted(run: LicenseRun): void;
}) {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [backup, setBackup] = useState<LicenseBackup>();
  const [loadError, setLoadError] = useState<string>();
  const [typedName, setTypedName] = useState('');
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string>();

  const open = async () => {
    setConfirming(true);
    setLoadError(undefined);
    try {
      const found = (await api.license.backups({ cluster })).find((candidate) => candidate.id === run.backupId);
      if (found) setBackup(found);
      else setLoadError(t('license.revert.missing', { id: run.backupId }));
    } catch (failure) {
      setLoadError(errorMessage(failure));
    }
  };

  const revert = async () => {
    if (!backup) return;
    setStarting(true);
    setError(undefined);
    try {
      const started = await api.license.revert({
        cluster,
        backupId: backup.id,
        ...(run.graceSeconds !== undefined ? { graceSeconds: run.graceSeconds } : {}),
        ...(production ? { confirmName: typedName } : {}),
      });
      setConfirming(false);
      onStarted({ kind: 'revert', opId: started.opId, backupId: started.backupId, fingerprint: backup.fingerprint, graceSeconds: run.graceSeconds });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setStarting(false);
    }
  };

  // Only when MongoDB is known to store the applied license can the plan name it.
  const current = storedMatches ? { fingerprint: run.fingerprint, status } : undefined;
  const canRevert = backup !== undefined && !busy && !starting && (!production || typedName === cluster);

  return (
    <section className="license-revert" data-testid="license-revert-panel">
      {!confirming && (
        <button type="button" className="button" data-testid="license-revert" disabled={busy} onClick={() => void open()}>
          {t('license.revert.open')}
        </button>
      )}
      {confirming && (
        <div className="license-confirm-box" role="group" aria-label={t('license.revert.open')} data-testid="license-revert-confirm-box">
          {loadError && (
            <p className="banner banner-error" role="alert">
              {t('license.revert.loadFailed', { error: loadError })}
            </p>
          )}
          {!backup && !loadError && <p className="muted">{t('license.revert.loading')}</p>}
          {backup && (
            <>
              <p>
                {backup.empty
                  ? t('license.revert.introEmpty', { time: formatTime(backup.createdAt, i18n.language) })
                  : t('license.revert.intro', { time: formatTime(backup.createdAt, i18n.language), license: shortFingerprint(backup.fingerprint), status: backup.status ?? t('license.verify.unknown') })}
              </p>
              <PlanLines
                title={t('license.plan.title')}
                lines={revertPlanLines({ backup, current, methods: check.methods, nodes: check.nodes, graceSeconds: run.graceSeconds ?? DEFAULT_GRACE_SECONDS })}
                testId="license-revert-plan"
              />
            </>
          )}
          {error && (
            <p className="banner banner-error" role="alert" data-testid="license-revert-error">
              {error}
            </p>
          )}
          {production && backup && (
            <TypedNameField label={t('license.typeName', { name: cluster })} value={typedName} onChange={setTypedName} testId="license-revert-confirm-name" />
          )}
          <div className="dialog-actions">
            <button type="button" className="button" disabled={starting} onClick={() => setConfirming(false)}>
              {t('license.cancel')}
            </button>
            <button type="button" className="button button-primary" data-testid="license-revert-confirm" disabled={!canRevert} onClick={() => void revert()}>
              {starting ? t('license.revert.starting') : t('license.revert.confirm')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
