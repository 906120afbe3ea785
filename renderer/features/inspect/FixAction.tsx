import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Finding } from '../../../shared/stacks/findings';
import { useLicenseWizard } from '../license/license-wizard-store';
import { RestartPreviewDialog } from '../restart/RestartPreviewDialog';
import { RollbackDialog } from '../rollback/RollbackDialog';

/** What the console can do about a finding, wired by the page that shows it. */
export interface FindingActions {
  openHost(host: string): void;
  editCluster(): void;
  reviewHostKeys(): void;
}

/** The action button named after the feature that fixes the finding. */
export function FixAction({ finding, actions, currentHost }: { finding: Finding; actions: FindingActions; currentHost?: string | undefined }) {
  const { t } = useTranslation();
  const [restarting, setRestarting] = useState(false);
  const [rollingBack, setRollingBack] = useState(false);
  const openLicenseWizard = useLicenseWizard((state) => state.open);
  const feature = finding.fix;
  // "Open the node" on that node's own page would go nowhere.
  if (feature === 'none' || (feature === 'node-view' && finding.hosts[0] === currentHost)) return null;
  const label = t(`inspect.fix.${feature}`);
  if (feature === 'staged-restart') {
    return (
      <>
        <button type="button" className="button button-small" data-testid="fix-action" data-fix={feature} onClick={() => setRestarting(true)}>
          {label}
        </button>
        {restarting && <RestartPreviewDialog cluster={finding.cluster} onClose={() => setRestarting(false)} />}
      </>
    );
  }
  if (feature === 'license-wizard') {
    // The wizard lives in the page (LicenseWizardHost): it must outlive this finding once the license is applied.
    return (
      <button type="button" className="button button-small" data-testid="fix-action" data-fix={feature} onClick={() => openLicenseWizard(finding.cluster)}>
        {label}
      </button>
    );
  }
  const rollbackHost = finding.hosts[0];
  if (feature === 'rollback' && rollbackHost !== undefined) {
    return (
      <>
        <button type="button" className="button button-small" data-testid="fix-action" data-fix={feature} onClick={() => setRollingBack(true)}>
          {label}
        </button>
        {rollingBack && <RollbackDialog cluster={finding.cluster} host={rollbackHost} onClose={() => setRollingBack(false)} />}
      </>
    );
  }
  const run = () => {
    if (feature === 'inventory') actions.editCluster();
    else if (feature === 'host-keys') actions.reviewHostKeys();
    else if (finding.hosts[0] !== undefined) actions.openHost(finding.hosts[0]);
  };
  // A rollback finding names its host; without one there is nothing to roll back.
  const unusable = (feature === 'node-view' || feature === 'rollback') && finding.hosts.length === 0;
  return (
    <button type="button" className="button button-small" data-testid="fix-action" data-fix={feature} disabled={unusable} onClick={run}>
      {label}
    </button>
  );
}
