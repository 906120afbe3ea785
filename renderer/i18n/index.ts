import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Settings } from '../../shared/contract';
import { catalogs } from './catalogs';

import { resolveLocale } from './locale';

void i18next.use(initReactI18next).init({
  resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } },
  lng: resolveLocale('system', navigator.languages),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function applyLocale(choice: Settings['language']): void {
  const locale = resolveLocale(choice, navigator.languages);
  if (i18next.language !== locale) void i18next.changeLanguage(locale);
  document.documentElement.lang = locale;
}

export default i18next;
