import { createInstance } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogs } from '../../../i18n/catalogs';
import { formatAge, formatUptime } from './format';

const i18n = createInstance();
beforeAll(async () => {
  await i18n.init({ resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'en', interpolation: { escapeValue: false } });
});

describe('ages and uptimes in both languages', () => {
  it('says how long ago a round finished, in the largest whole unit', async () => {
    await i18n.changeLanguage('en');
    expect(formatAge(42_900, i18n.t)).toBe('42 s ago');
    expect(formatAge(-500, i18n.t)).toBe('0 s ago');
    expect(formatAge(3 * 60_000 + 5_000, i18n.t)).toBe('3 min ago');
    expect(formatAge(5 * 3_600_000, i18n.t)).toBe('5 h ago');
    expect(formatAge(2 * 86_400_000, i18n.t)).toBe('2 d ago');
    await i18n.changeLanguage('zh-CN');
    expect(formatAge(42_000, i18n.t)).toBe('42 秒前');
  });

  it('shows two units of uptime at most', async () => {
    await i18n.changeLanguage('en');
    expect(formatUptime(3 * 86_400 + 4 * 3600 + 59, i18n.t)).toBe('3 d 4 h');
    expect(formatUptime(5 * 3600 + 12 * 60, i18n.t)).toBe('5 h 12 min');
    expect(formatUptime(59, i18n.t)).toBe('0 min');
  });
});
