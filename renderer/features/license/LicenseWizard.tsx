import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cluster } from '../../../shared/inventory/schema';
import { api } from '../../api/client';
import { useOperations } from '../../stores/operations';
import { Dialog } from '../../ui/Dialog';
import { errorMessage } from '../../ui/error-message';
import { CheckPage, type StartedApply } from './CheckPage';
import { ChoosePage, type ChosenLicense } from './ChoosePage';
import type { CheckedLicense } from './license-view';
import { OperationProgress } from './OperationProgress';
import { useLicenseVerification } from './use-license-verification';
import { VerifyPage, type LicenseRun } from './VerifyPage';
import './license.css';

type Step = 'choose' | 'check' | 'progress' | 'verify';
const steps: readonly Step[] = ['choose', 'check', 'progress', 'verify'];

/**
 * The offline license wizard for one Rocket.Chat cluster (issue 6): choose a license, check it
 * against the cluster read live, apply it as a journaled operation (backup first), and verify
 * every node, restarting those that stay on the old license or reverting to the backup.
 */
export function LicenseWizard({ cluster, onClose }: { cluster: string; onClose(): void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState<Cluster>();
  const [inventoryError, setInventoryError] = useState<string>();
  const [page, setPage] = useState<'choose' | 'check' | 'run'>('choose');
  const [chosen, setChosen] = useState<ChosenLicense>();
  const [check, setCheck] = useState<CheckedLicense>();
  const [run, setRun] = useState<LicenseRun>();
  // Once the operation verifies, the table is what matters; the admin can still look at the steps.
  const [runView, setRunView] = useState<'auto' | 'progress' | 'verify'>('auto');
  const verifyStarted = useOperations((state) => {
    if (!run) return false;
    const status = state.details[run.opId]?.state?.steps.find((step) => step.id === 'verify')?.status;
    return status !== undefined && status !== 'pending';
  });
  // Polled while the dialog is open and an operation was started from it.
  const verification = useLicenseVerification(cluster, run?.fingerprint, run !== undefined);

  useEffect(() => {
    api.inventory.get({ name: cluster }).then(setSaved, (failure: unknown) => setInventoryError(errorMessage(failure)));
  }, [cluster]);

  const production = saved === undefined ? undefined : saved.environment === 'production';
  const shown: Step = page !== 'run' ? page : runView === 'auto' ? (verifyStarted ? 'verify' : 'progress') : runView;

  const started = ({ opId, backupId, result, graceSeconds }: StartedApply) => {
    setCheck(result);
    setRun({ kind: 'apply', opId, backupId, fingerprint: result.fingerprint, graceSeconds });
    setRunView('auto');
    setPage('run');
  };

  return (
    <Dialog title={t('license.title', { cluster })} onClose={onClose} wide testId="license-wizard-dialog">
      <Stepper shown={shown} canView={run !== undefined} onView={setRunView} />
      {inventoryError && (
        <p className="banner banner-error" role="alert">
          {t('license.clusterFailed', { cluster, error: inventoryError })}
        </p>
      )}
      {page === 'choose' && (
        <ChoosePage
          onCancel={onClose}
          onChosen={(license) => {
            setChosen(license);
            setPage('check');
          }}
        />
      )}
      {page === 'check' && chosen && <CheckPage cluster={cluster} production={production} chosen={chosen} onBack={() => setPage('choose')} onCancel={onClose} onStarted={started} />}
      {page === 'run' && run && check && (
        <>
          {shown === 'progress' && <OperationProgress opId={run.opId} onOpen={onClose} />}
          {shown === 'verify' && (
            <VerifyPage
              cluster={cluster}
              production={production === true}
              run={run}
              check={check}
              state={verification}
              onLeave={onClose}
              onRevertStarted={(revert) => {
                setRun(revert);
                setRunView('auto');
              }}
            />
          )}
          <div className="dialog-footer">
            <div className="dialog-actions">
              <span className="muted license-close-hint">{t('license.closeHint')}</span>
              <button type="button" className="button" data-testid="license-close" onClick={onClose}>
                {t('license.close')}
              </button>
            </div>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** Where the wizard is; once an operation runs, its progress and the verification can be switched between. */
function Stepper({ shown, canView, onView }: { shown: Step; canView: boolean; onView(view: 'progress' | 'verify'): void }) {
  const { t } = useTranslation();
  return (
    <ol className="license-steps" data-testid="license-steps" data-step={shown}>
      {steps.map((step, index) => {
        const label = `${index + 1}. ${t(`license.steps.${step}`)}`;
        const current = step === shown;
        return (
          <li key={step} className={current ? 'license-step license-step-current' : 'license-step'} aria-current={current ? 'step' : undefined}>
            {canView && (step === 'progress' || step === 'verify') && !current ? (
              <button type="button" className="link-button" data-testid={`license-step-${step}`} onClick={() => onView(step)}>
                {label}
              </button>
            ) : (
              label
            )}
          </li>
        );
      })}
    </ol>
  );
}
