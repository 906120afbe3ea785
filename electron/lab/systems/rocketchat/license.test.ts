import { beforeAll, describe, expect, it } from 'vitest';
import { LabLicenseIssuer } from '../../license/issuer';
import { sampleLicenses, type SampleLicenseName } from '../../license/samples';
import { evaluateLicense, licenseFormatValid } from './license';

/** What a lab node concludes about each sample license, against the lab workspace it was made for. */

const SITE = 'https://chat.lab.example';
const NOW = Date.parse('2025-06-01T12:00:00Z');
let issuer: LabLicenseIssuer;
let samples: Record<SampleLicenseName, string>;

beforeAll(async () => {
  issuer = await LabLicenseIssuer.create();
  samples = sampleLicenses({ issuer, siteUrl: SITE, activeUsers: 42, now: new Date(NOW) });
});

const evaluate = (text: string, overrides: { siteUrl?: string; now?: number } = {}) =>
  evaluateLicense(issuer, text, { siteUrl: overrides.siteUrl ?? SITE, now: overrides.now ?? NOW, activeUsers: 42, node: 'rc1' });

describe('evaluateLicense', () => {
  it('accepts the valid sample and returns its payload', () => {
    expect(evaluate(samples.valid)).toMatchObject({ valid: true, payload: { information: { id: 'lab-valid' } } });
  });

  it.each([
    ['expired', 'period'],
    ['wrong-site', 'url'],
    ['over-limit', 'limit'],
  ] as const)('finds %s invalid (%s), though its format decrypts', (name, reason) => {
    expect(licenseFormatValid(issuer, samples[name])).toBe(true);
    expect(evaluate(samples[name])).toMatchObject({ valid: false, reason });
  });

  it('judges validity by the node clock', () => {
    expect(evaluate(samples.valid, { now: NOW + 400 * 86_400_000 })).toMatchObject({ valid: false, reason: 'period' });
  });

  it('refuses the truncated sample, a license of another issuer and no license at all before looking inside', async () => {
    expect(licenseFormatValid(issuer, samples.truncated)).toBe(false);
    expect(evaluate(samples.truncated).valid).toBe(false);
    const other = await LabLicenseIssuer.create();
    expect(evaluate(other.issue({ siteUrl: SITE }))).toEqual({ valid: false, reason: 'invalid signature' });
    expect(evaluate('')).toEqual({ valid: false, reason: 'no license' });
  });
});
