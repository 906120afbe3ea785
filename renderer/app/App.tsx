import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { applyLocale } from '../i18n';
import { useSettings } from '../stores/settings';
import { useNavigation, type Section } from '../stores/navigation';
import { useTheme } from './theme';
import { Sidebar } from './Sidebar';
import { ConnectionBanner } from './ConnectionBanner';
import { ClustersPage } from '../features/clusters/ClustersPage';
import { OperationsPage } from '../features/operations/OperationsPage';
import { ActivityPage } from '../features/activity/ActivityPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { SshPrompts } from '../features/ssh/SshPrompts';
import { OperationNotices } from '../features/operations/OperationNotices';

const pages: Record<Section, () => React.JSX.Element | null> = {
  clusters: ClustersPage,
  operations: OperationsPage,
  activity: ActivityPage,
  settings: SettingsPage,
};

export function App() {
  const { t } = useTranslation();
  const { settings, load } = useSettings();
  const section = useNavigation((s) => s.section);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings) applyLocale(settings.language);
  }, [settings]);
  useTheme(settings?.theme);

  const Page = pages[section];
  return (
    <div className="app-frame">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Sidebar />
      <main id="main" tabIndex={-1}>
        <ConnectionBanner />
        <Page />
      </main>
      <SshPrompts />
      <OperationNotices />
    </div>
  );
}
