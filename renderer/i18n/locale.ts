import type { Settings } from '../../shared/contract';

export type Locale = 'en' | 'zh-CN';

/** 'system' follows the OS (the browser's preferred languages): any Chinese variant gets zh-CN. */
export function resolveLocale(choice: Settings['language'], preferred: readonly string[]): Locale {
  if (choice !== 'system') return choice;
  return preferred.some((lang) => lang.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}
