import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, Settings } from '../../../shared/contract';
import { languageSchema, themeSchema } from '../../../shared/contract';
import { api } from '../../api/client';
import { useSettings } from '../../stores/settings';
import { SshLogSection } from '../ssh/SshLogSection';
import { LabSection } from '../lab/LabSection';

const languageLabels: Record<Settings['language'], string> = { system: '', en: 'English', 'zh-CN': '简体中文' };

export function SettingsPage() {
  const { t } = useTranslation();
  const { settings, update, error } = useSettings();
  const [info, setInfo] = useState<AppInfo>();

  useEffect(() => {
    void api.app.info({}).then(setInfo, () => undefined);
  }, []);

  if (!settings) return null;
  return (
    <section aria-labelledby="page-title" data-testid="page-settings">
      <h1 id="page-title">{t('settings.title')}</h1>
      {error && (
        <p className="banner banner-error" role="alert">
          {t('settings.saveFailed', { error })}
        </p>
      )}
      <div className="form-grid">
        <label htmlFor="language">{t('settings.language')}</label>
        <select
          id="language"
          data-testid="settings-language"
          value={settings.language}
          onChange={(event) => void update({ language: languageSchema.parse(event.target.value) })}
        >
          {languageSchema.options.map((value) => (
            <option key={value} value={value}>
              {value === 'system' ? t('settings.languageSystem') : languageLabels[value]}
            </option>
          ))}
        </select>
        <label htmlFor="theme">{t('settings.theme')}</label>
        <select
          id="theme"
          data-testid="settings-theme"
          value={settings.theme}
          onChange={(event) => void update({ theme: themeSchema.parse(event.target.value) })}
        >
          <option value="system">{t('settings.themeSystem')}</option>
          <option value="light">{t('settings.themeLight')}</option>
          <option value="dark">{t('settings.themeDark')}</option>
        </select>
      </div>
      {info && (
        <>
          <h2>{t('settings.about')}</h2>
          <dl className="facts">
            <dt>{t('settings.version')}</dt>
            <dd data-testid="app-version">{info.version}</dd>
            <dt>{t('settings.host')}</dt>
            <dd>{info.host === 'electron' ? t('settings.hostElectron') : t('settings.hostBrowser')}</dd>
            <dt>{t('settings.dataDir')}</dt>
            <dd className="mono">{info.dataDir}</dd>
          </dl>
        </>
      )}
      <LabSection />
      <SshLogSection />
    </section>
  );
}
