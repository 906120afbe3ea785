import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useLicenseWizard } from './license-wizard-store';
import { takesLicense } from './license-view';

/**
 * "License…" in a cluster's header, shown only for clusters the wizard can license (Rocket.Chat
 * nodes, or hosts that take a license file).
 * `revision` changes when the inventory changed (the saved cluster is read again).
 */
export function LicenseWizardButton({ cluster, revision }: { cluster: string; revision: unknown }) {
  const { t } = useTranslation();
  const [licensable, setLicensable] = useState<{ cluster: string; value: boolean }>();
  const open = useLicenseWizard((state) => state.open);

  useEffect(() => {
    let current = true;
    api.inventory.get({ name: cluster }).then(
      (saved) => current && setLicensable({ cluster, value: takesLicense(saved) }),
      () => current && setLicensable({ cluster, value: false }),
    );
    return () => {
      current = false;
    };
  }, [cluster, revision]);

  if (licensable?.cluster !== cluster || !licensable.value) return null;
  return (
    <button type="button" className="button" data-testid="license-wizard" onClick={() => open(cluster)}>
      {t('license.open')}
    </button>
  );
}
