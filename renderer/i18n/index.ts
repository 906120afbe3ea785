import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Settings } from '../../shared/contract';
import en from './en.json';
import zhCN from './zh-CN.json';

export const catalogs = { en, 'zh-CN': zhCN } as const;
export type Locale = keyof typeof catalogs;

/** 'system' follows the OS (the browser's preferred languages): any Chinese variant gets zh-CN. */
export function resolveLocale(choice: Settings['language'], preferred: readonly string[]): Locale {
  if (choice !== 'system') return choice;
  return preferred.some((lang) => lang.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
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
