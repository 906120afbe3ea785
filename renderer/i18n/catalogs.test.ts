import { describe, expect, it } from 'vitest';
import { catalogs } from './catalogs';

const en = catalogs.en;
const zhCN = catalogs['zh-CN'] as { settings: { saveFailed: string } };
import { resolveLocale } from './locale';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('i18n catalogs', () => {
  it('English and Simplified Chinese have exactly the same keys', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  });

  it('every Chinese string is translated (differs from English) except names', () => {
    const same = keys(en).filter((k) => {
      const get = (o: unknown) => k.split('.').reduce<unknown>((a, p) => (a as Record<string, unknown>)[p], o);
      return get(en) === get(zhCN);
    });
    expect(same).toEqual(['app.name']);
  });

  it('keeps interpolation placeholders in both languages', () => {
    expect(zhCN.settings.saveFailed).toContain('{{error}}');
  });
});

describe('resolveLocale', () => {
  it('follows the OS for "system"', () => {
    expect(resolveLocale('system', ['zh-TW', 'en'])).toBe('zh-CN');
    expect(resolveLocale('system', ['de-DE', 'en-US'])).toBe('en');
  });
  it('honours an explicit choice', () => {
    expect(resolveLocale('en', ['zh-CN'])).toBe('en');
    expect(resolveLocale('zh-CN', ['en-US'])).toBe('zh-CN');
  });
});
