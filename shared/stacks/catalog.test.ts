import { describe, expect, it } from 'vitest';
import { fixFeatures, severities } from './findings';
import { allProfiles, findingCatalog } from './catalog';

const placeholders = (template: string) => [...template.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();

describe('finding catalogue', () => {
  it('has unique rule ids across all profiles', () => {
    const ids = allProfiles.flatMap((profile) => profile.catalog.map((rule) => rule.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(findingCatalog.size).toBe(ids.length);
    expect(findingCatalog.get('voms.bad-update')?.fix).toBe('rollback');
  });

  it('gives every rule an English and a Simplified Chinese title, why and action, with the same placeholders', () => {
    for (const rule of findingCatalog.values()) {
      for (const field of ['title', 'why', 'action'] as const) {
        expect(rule[field].en.trim(), `${rule.id} ${field} en`).not.toBe('');
        expect(rule[field]['zh-CN'].trim(), `${rule.id} ${field} zh-CN`).not.toBe('');
        expect(rule[field]['zh-CN'], `${rule.id} ${field} zh-CN is not a copy of the English`).not.toBe(rule[field].en);
        expect(placeholders(rule[field]['zh-CN']), `${rule.id} ${field} placeholders`).toEqual(placeholders(rule[field].en));
      }
      expect(severities).toContain(rule.severity);
      expect(fixFeatures).toContain(rule.fix);
    }
  });

  it('lists the generic profile first, and probe ids are unique, valid section names', () => {
    expect(allProfiles[0]?.stack).toBe('generic');
    const probeIds = allProfiles.flatMap((profile) => [...profile.probes, ...(profile.mongoProbes ?? [])].map((probe) => probe.id));
    expect(new Set(probeIds).size).toBe(probeIds.length);
    for (const id of probeIds) expect(id).toMatch(/^[a-z0-9_.-]{1,64}$/);
  });

  it('names its rule ids after the profile\'s systems', () => {
    const prefixes: Record<string, string[]> = {
      generic: ['host', 'cluster'],
      rocketchat: ['rocketchat', 'haproxy', 'mongodb'],
      presence: ['presence'],
      wukongim: ['wukongim'],
      vernemq: ['vernemq'],
      voms: ['voms'],
    };
    for (const profile of allProfiles) {
      for (const rule of profile.catalog) expect(prefixes[profile.stack], rule.id).toContain(rule.id.split('.')[0]);
    }
  });
});
