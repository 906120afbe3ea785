import { useEffect } from 'react';
import { LicenseWizard } from './LicenseWizard';
import { useLicenseWizard } from './license-wizard-store';

/**
 * Where the open license wizard lives: the cluster's page, which stays while the finding that
 * opened the wizard goes away. Leaving the page closes it.
 */
export function LicenseWizardHost({ cluster }: { cluster: string }) {
  const open = useLicenseWizard((state) => state.cluster);
  const close = useLicenseWizard((state) => state.close);
  useEffect(() => close, [close]);
  return open === cluster ? <LicenseWizard key={cluster} cluster={cluster} onClose={close} /> : null;
}
