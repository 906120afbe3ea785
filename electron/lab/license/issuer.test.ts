import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canApply, checkLicense, type ClusterLicenseContext } from '../../../shared/license/checks';
import { parseLicense, type ParsedLicense } from '../../../shared/license/parse';
import { LabLicenseIssuer } from './issuer';
import { SAMPLE_LICENSE_NAMES, sampleLicenses, writeSampleLicenses } from './samples';

const SITE = 'https://chat.lab.example';
const NOW = new Date('2025-06-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

let issuer: LabLicenseIssuer;
let otherIssuer: LabLicenseIssuer;
let dir: string;

beforeAll(async () => {
  [issuer, otherIssuer] = await Promise.all([LabLicenseIssuer.create(), LabLicenseIssuer.create()]);
  dir = await mkdtemp(join(tmpdir(), 'lab-license-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const labCluster = (overrides: Partial<ClusterLicenseContext> = {}): ClusterLicenseContext => ({
  clusterName: 'rocketchat',
  siteUrl: SITE,
  now: NOW.getTime(),
  nodeClocks: ['rc1', 'rc2', 'rc3', 'rc4'].map((node) => ({ node, epochSeconds: NOW.getTime() / 1000 })),
  activeUsers: 42,
  ...overrides,
});

function parsedV3(text: string): ParsedLicense & { version: 3 } {
  const result = parseLicense(text);
  if (!result.ok || result.license.version !== 3) throw new Error(`not a v3 license: ${JSON.stringify(result)}`);
  return result.license;
}

describe('LabLicenseIssuer.issue', () => {
  it('produces RCV3_ + an RS256 JWT with an ILicenseV3 payload that parseLicense reads', () => {
    const text = issuer.issue({ siteUrl: SITE, validFrom: new Date(NOW.getTime() - DAY), validUntil: new Date(NOW.getTime() + 90 * DAY), createdAt: NOW });
    expect(text.startsWith('RCV3_')).toBe(true);
    const license = parsedV3(text);
    expect(license.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(license.signatureBytes).toBe(256);
    expect(license.summary).toMatchObject({
      type: 'offline',
      issuedTo: { name: 'Switchboard lab (simulation)' },
      serverUrls: [{ value: 'chat.lab.example', type: 'url' }],
      validPeriods: [{ validUntil: new Date(NOW.getTime() + 90 * DAY).toISOString(), invalidBehavior: 'invalidate_license' }],
      createdAt: NOW.toISOString(),
    });
    expect(license.summary.modules).toContain('scalability');
  });

  it('signs with RSASSA-PKCS1-v1_5 SHA-256 under the published SPKI key, as any RS256 verifier expects', () => {
    const text = issuer.issue({ siteUrl: SITE });
    const jwt = text.slice('RCV3_'.length);
    const cut = jwt.lastIndexOf('.');
    const publicKey = createPublicKey(issuer.publicKeyPem);
    expect(issuer.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(verifySignature('sha256', Buffer.from(jwt.slice(0, cut)), publicKey, Buffer.from(jwt.slice(cut + 1), 'base64url'))).toBe(true);
  });

  it('issues trials and limits that the checks flag as intended', () => {
    const trial = issuer.issue({ siteUrl: SITE, trial: true, limits: { activeUsers: [{ max: 40, behavior: 'start_fair_policy' }] } });
    const items = checkLicense(parsedV3(trial), labCluster());
    expect(items.find((item) => item.id === 'trial')?.level).toBe('amber');
    expect(items.find((item) => item.id === 'limit-activeUsers:0')?.level).toBe('amber');
  });
});

describe('LabLicenseIssuer.verify', () => {
  it("accepts the lab's own license and returns its payload and fingerprint", () => {
    const text = issuer.issue({ siteUrl: SITE, id: 'mine' });
    const result = issuer.verify(`${text}\n`);
    expect(result).toMatchObject({ ok: true, payload: { information: { id: 'mine' } } });
    expect(result.ok && result.fingerprint).toBe(parsedV3(text).fingerprint);
  });

  it('refuses a tampered payload', () => {
    const text = issuer.issue({ siteUrl: SITE, limits: { activeUsers: [{ max: 10, behavior: 'invalidate_license' }] } });
    const [header, payload, signature] = text.slice('RCV3_'.length).split('.');
    const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    decoded.limits.activeUsers[0].max = 100_000;
    const forged = `RCV3_${header}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
    expect(parseLicense(forged).ok).toBe(true);
    expect(issuer.verify(forged)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a license signed by another key', () => {
    const foreign = otherIssuer.issue({ siteUrl: SITE });
    expect(issuer.verify(foreign)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(otherIssuer.verify(foreign).ok).toBe(true);
  });

  it('refuses malformed, truncated and legacy v2 input with a reason that does not echo the text', () => {
    const text = issuer.issue({ siteUrl: SITE });
    const truncated = text.slice(0, text.length - 100);
    const result = issuer.verify(truncated);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.message).not.toContain(truncated.slice(5, 40));
    expect(issuer.verify('garbage')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(issuer.verify(Buffer.alloc(512, 1).toString('base64'))).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('LabLicenseIssuer.loadOrCreate', () => {
  it('creates a private key file readable only by its owner, and loads the same key next time', async () => {
    const keyFile = join(dir, 'keys', 'license-signing.pem');
    const first = await LabLicenseIssuer.loadOrCreate(keyFile);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const second = await LabLicenseIssuer.loadOrCreate(keyFile);
    expect(second.publicKeyPem).toBe(first.publicKeyPem);
    expect(second.verify(first.issue({ siteUrl: SITE })).ok).toBe(true);
  });
});

describe('sample licenses', () => {
  it('writes the five files, each parsing and checking as its name says', async () => {
    const paths = await writeSampleLicenses(join(dir, 'licenses'), { issuer, siteUrl: SITE, activeUsers: 42, now: NOW });
    expect(Object.keys(paths).sort()).toEqual([...SAMPLE_LICENSE_NAMES].sort());
    const texts = Object.fromEntries(
      await Promise.all(SAMPLE_LICENSE_NAMES.map(async (name) => [name, await readFile(paths[name], 'utf8')] as const)),
    );

    const redIds = (name: string): string[] => {
      const items = checkLicense(parsedV3(texts[name] ?? ''), labCluster());
      return canApply(items, items.filter((item) => item.level === 'amber').map((item) => item.id)).blockedBy;
    };
    const valid = checkLicense(parsedV3(texts.valid ?? ''), labCluster());
    expect(canApply(valid, [])).toEqual({ allowed: true, blockedBy: [], unacknowledged: [] });
    expect(redIds('expired')).toEqual(['period-expired:0']);
    expect(redIds('wrong-site')).toEqual(['site-url:0']);
    expect(redIds('over-limit')).toEqual(['limit-activeUsers:0']);

    const truncated = parseLicense(texts.truncated ?? '');
    expect(truncated.ok ? 'parsed' : truncated.rejection.code).toBe('truncated');
    expect(truncated.ok ? '' : truncated.rejection.message.en).toMatch(/signature is \d+ bytes/);
  });

  it('are all signed by the issuer, except the truncated one, which cannot be verified', () => {
    const samples = sampleLicenses({ issuer, siteUrl: SITE, activeUsers: 42, now: NOW });
    for (const name of ['valid', 'expired', 'wrong-site', 'over-limit'] as const) expect([name, issuer.verify(samples[name]).ok]).toEqual([name, true]);
    expect(issuer.verify(samples.truncated)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses to make an over-limit sample for a cluster with no active users', () => {
    expect(() => sampleLicenses({ issuer, siteUrl: SITE, activeUsers: 0, now: NOW })).toThrow(RangeError);
  });
});
