import { describe, expect, it } from 'vitest';
import { canApply, checkLicense, type ClusterLicenseContext, type LicenseCheckItem } from './checks';
import { licenseFingerprint, parseLicense, type ParsedLicense } from './parse';
import { buildLicensePayload, type LicensePayloadOptions } from './payload';
import type { LicenseV3Payload } from './schema';

// The checks never look at the signature, so a dummy 256-byte one stands in for RS256.
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (payload: unknown): string =>
  `RCV3_${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.${Buffer.alloc(256, 7).toString('base64url')}`;

const NOW = Date.parse('2025-06-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const SITE = 'https://chat.example.com';

const baseOptions: LicensePayloadOptions = {
  siteUrl: SITE,
  validFrom: new Date(NOW - 10 * DAY),
  validUntil: new Date(NOW + 200 * DAY),
  createdAt: new Date(NOW - 10 * DAY),
  limits: { activeUsers: [{ max: 500, behavior: 'prevent_action' }] },
};

function parsed(payload: LicenseV3Payload | object): ParsedLicense {
  const result = parseLicense(token(payload));
  if (!result.ok) throw new Error(result.rejection.message.en);
  return result.license;
}
const license = (options: Partial<LicensePayloadOptions> = {}): ParsedLicense => parsed(buildLicensePayload({ ...baseOptions, ...options }));

const context = (overrides: Partial<ClusterLicenseContext> = {}): ClusterLicenseContext => ({
  clusterName: 'rocketchat',
  siteUrl: SITE,
  now: NOW,
  nodeClocks: ['rc1', 'rc2', 'rc3', 'rc4'].map((node) => ({ node, epochSeconds: NOW / 1000 })),
  activeUsers: 120,
  ...overrides,
});

const byId = (items: LicenseCheckItem[], id: string): LicenseCheckItem | undefined => items.find((check) => check.id === id);
const levels = (items: LicenseCheckItem[]): Record<string, string> => Object.fromEntries(items.map((check) => [check.id, check.level]));
const ids = (items: LicenseCheckItem[], level: string): string[] => items.filter((check) => check.level === level).map((check) => check.id);

describe('a license that fits the cluster', () => {
  it('is all green and info, and may be applied without acknowledgements', () => {
    const items = checkLicense(license(), context());
    expect(levels(items)).toEqual({
      'site-url': 'green',
      validity: 'green',
      'node-clocks': 'green',
      'limit-activeUsers': 'green',
      'no-current-license': 'info',
      'signature-not-verified': 'info',
    });
    expect(byId(items, 'validity')?.details).toMatchObject({ daysLeft: 200 });
    expect(canApply(items, [])).toEqual({ allowed: true, blockedBy: [], unacknowledged: [] });
  });
});

describe('site URL', () => {
  const siteLevel = (siteUrl: string | undefined, serverUrls?: LicensePayloadOptions['serverUrls']): LicenseCheckItem[] =>
    checkLicense(license(serverUrls ? { serverUrls } : {}), context({ siteUrl })).filter((check) => check.id.startsWith('site-url'));

  it('matches exactly, ignoring a trailing slash, the scheme and case of Site_Url, as Rocket.Chat does', () => {
    for (const siteUrl of [SITE, `${SITE}/`, 'http://chat.example.com', 'https://Chat.Example.COM/', 'chat.example.com']) {
      expect([siteUrl, siteLevel(siteUrl).map((check) => check.level)]).toEqual([siteUrl, ['green']]);
    }
  });

  it('does not strip an upper-case scheme, exactly like Rocket.Chat', () => {
    expect(siteLevel('HTTPS://chat.example.com')[0]?.level).toBe('red');
  });

  it('is red for another site, naming both', () => {
    const [check] = siteLevel('https://chat.other.org');
    expect(check).toMatchObject({ id: 'site-url:0', level: 'red' });
    expect(check?.message.en).toContain('chat.example.com');
    expect(check?.message.en).toContain('https://chat.other.org');
    expect(siteLevel(`${SITE}/sub`)[0]?.level).toBe('red');
    expect(siteLevel('https://chat.example.com:8443')[0]?.level).toBe('red');
  });

  it('is amber when the license itself carries a scheme or trailing slash Rocket.Chat would not strip', () => {
    expect(siteLevel(SITE, [{ value: 'https://chat.example.com/', type: 'url' }])[0]).toMatchObject({ level: 'amber', id: 'site-url:0' });
  });

  it('evaluates regex entries as Rocket.Chat wildcards', () => {
    expect(siteLevel(SITE, [{ value: '*.example.com', type: 'regex' }])[0]?.level).toBe('green');
    expect(siteLevel(SITE, [{ value: 'CHAT.example.*', type: 'regex' }])[0]?.level).toBe('green');
    // Dots are literal: chatXexample.com does not match chat.example.com.
    expect(siteLevel('https://chatXexample.com', [{ value: 'chat.example.com', type: 'regex' }])[0]?.level).toBe('red');
    expect(siteLevel(SITE, [{ value: '*.example.org', type: 'regex' }])[0]?.level).toBe('red');
  });

  it('says a bad or dangerous pattern could not be checked (amber)', () => {
    expect(siteLevel(SITE, [{ value: 'chat.(example.com', type: 'regex' }])[0]).toMatchObject({ id: 'site-url:0:unchecked', level: 'amber' });
    const unsafe = siteLevel(SITE, [{ value: '(a+)+b', type: 'regex' }])[0];
    expect(unsafe).toMatchObject({ level: 'amber' });
    expect(unsafe?.message.en).toContain('could not be checked');
  });

  it('says a hash could not be checked here (amber)', () => {
    const [check] = siteLevel(SITE, [{ value: '$2b$10$abcdefghijklmnopqrstuv', type: 'hash' }]);
    expect(check).toMatchObject({ id: 'site-url:0:unchecked', level: 'amber' });
    expect(check?.message.en).toContain('could not be checked');
  });

  it('requires every entry to match, as Rocket.Chat does', () => {
    const items = siteLevel(SITE, [
      { value: 'chat.example.com', type: 'url' },
      { value: 'chat.other.org', type: 'url' },
    ]);
    expect(items.map(({ id, level }) => [id, level])).toEqual([['site-url:1', 'red']]);
    expect(items[0]?.message.en).toContain('every server URL');
  });

  it('is amber when Site_Url could not be read and red when it is empty', () => {
    expect(siteLevel(undefined)[0]).toMatchObject({ id: 'site-url-unread', level: 'amber' });
    expect(siteLevel('')[0]).toMatchObject({ id: 'site-url-empty', level: 'red' });
  });

  it('is green when the license names no site', () => {
    expect(siteLevel(SITE, [])[0]).toMatchObject({ id: 'site-url', level: 'green' });
  });
});

describe('validity', () => {
  it('is red once expired, with the date and days since', () => {
    const items = checkLicense(license({ validFrom: new Date(NOW - 400 * DAY), validUntil: new Date(NOW - 35 * DAY) }), context());
    const check = byId(items, 'period-expired:0');
    expect(check?.level).toBe('red');
    expect(check?.message.en).toContain('expired on 2025-04-27 (35 days ago)');
    expect(byId(items, 'validity')).toBeUndefined();
    expect(canApply(items, ['period-expired:0']).blockedBy).toContain('period-expired:0');
  });

  it('is red before it starts', () => {
    const items = checkLicense(license({ validFrom: new Date(NOW + 3 * DAY) }), context());
    expect(byId(items, 'period-not-yet-valid:0')?.level).toBe('red');
  });

  it('is amber when it expires within 30 days', () => {
    const items = checkLicense(license({ validUntil: new Date(NOW + 12 * DAY + 60_000) }), context());
    expect(byId(items, 'period-expiring:0')).toMatchObject({ level: 'amber' });
    expect(byId(items, 'period-expiring:0')?.message.en).toContain('in 12 days');
    expect(byId(items, 'validity')).toBeUndefined();
  });

  it('is amber, not red, when the period only disables modules', () => {
    const items = checkLicense(
      license({ validUntil: new Date(NOW - DAY), invalidBehavior: 'disable_modules' }),
      context(),
    );
    expect(byId(items, 'period-expired:0')?.level).toBe('amber');
  });

  it('is green and says so when the license never expires', () => {
    const items = checkLicense(license({ validFrom: undefined, validUntil: undefined }), context());
    expect(byId(items, 'validity')).toMatchObject({ level: 'green', message: { en: 'The license is valid now and does not expire.' } });
  });

  it('is amber when a date cannot be read', () => {
    const payload = buildLicensePayload(baseOptions);
    const broken = { ...payload, validation: { ...payload.validation, validPeriods: [{ validUntil: 'next spring', invalidBehavior: 'invalidate_license' }] } };
    expect(byId(checkLicense(parsed(broken), context()), 'period-unreadable:0')?.level).toBe('amber');
  });
});

describe("each node's clock", () => {
  it('calls out by name a node whose clock would see the license as not yet valid (red)', () => {
    const startsSoon = license({ validFrom: new Date(NOW - 60_000) });
    const clocks = context().nodeClocks.map((clock) => (clock.node === 'rc3' ? { node: 'rc3', epochSeconds: NOW / 1000 - 300 } : clock));
    const items = checkLicense(startsSoon, context({ nodeClocks: clocks }));
    expect(byId(items, 'validity')?.level).toBe('green');
    const check = byId(items, 'node-clock:rc3');
    expect(check?.level).toBe('red');
    expect(check?.message.en).toContain('Node rc3');
    expect(check?.message.en).toContain('5 min behind this computer');
    expect(check?.message.en).toContain('not yet valid');
    expect(check?.message['zh-CN']).toContain('节点 rc3');
    expect(items.filter((item) => item.id.startsWith('node-clock:'))).toHaveLength(1);
    expect(canApply(items, []).blockedBy).toEqual(['node-clock:rc3']);
  });

  it('calls out a node whose clock runs past the expiry', () => {
    const endsSoon = license({ validUntil: new Date(NOW + 60_000) });
    const clocks = [{ node: 'rc1', epochSeconds: NOW / 1000 + 120 }];
    const check = byId(checkLicense(endsSoon, context({ nodeClocks: clocks })), 'node-clock:rc1');
    expect(check).toMatchObject({ level: 'red', details: { verdict: 'expired', skewSeconds: 120 } });
  });

  it('is amber for skew over 2 s that does not change the verdict, and quiet within 2 s', () => {
    const clocks = [
      { node: 'rc1', epochSeconds: NOW / 1000 + 2 },
      { node: 'rc2', epochSeconds: NOW / 1000 - 7 },
    ];
    const items = checkLicense(license(), context({ nodeClocks: clocks }));
    expect(ids(items, 'amber')).toEqual(['node-clock-skew:rc2']);
    expect(byId(items, 'node-clock-skew:rc2')?.message.en).toContain('7 s behind');
  });

  it('is amber when a clock or all clocks could not be read', () => {
    expect(ids(checkLicense(license(), context({ nodeClocks: [{ node: 'rc4', epochSeconds: Number.NaN }] })), 'amber')).toEqual([
      'node-clock-unread:rc4',
    ]);
    expect(ids(checkLicense(license(), context({ nodeClocks: [] })), 'amber')).toEqual(['node-clocks-unread']);
  });
});

describe('active users against the limits', () => {
  const withLimit = (max: number, behavior: string, activeUsers: number | undefined): LicenseCheckItem[] =>
    checkLicense(license({ limits: { activeUsers: [{ max, behavior }] } }), context({ activeUsers })).filter((check) =>
      check.id.startsWith('limit-'),
    );

  it('is red over an invalidate_license limit (only when above it)', () => {
    expect(withLimit(100, 'invalidate_license', 120)[0]).toMatchObject({ id: 'limit-activeUsers:0', level: 'red' });
    expect(withLimit(100, 'invalidate_license', 120)[0]?.message.en).toContain('120 active users and is over the license\'s limit of 100');
    expect(withLimit(120, 'invalidate_license', 120)[0]).toMatchObject({ id: 'limit-activeUsers', level: 'green' });
  });

  it('is amber at or over a prevent_action or start_fair_policy limit', () => {
    expect(withLimit(120, 'prevent_action', 120)[0]).toMatchObject({ level: 'amber' });
    expect(withLimit(120, 'prevent_action', 120)[0]?.message.en).toContain('has reached');
    expect(withLimit(100, 'start_fair_policy', 120)[0]).toMatchObject({ level: 'amber' });
    expect(withLimit(121, 'prevent_action', 120)[0]).toMatchObject({ level: 'green' });
  });

  it('treats a negative maximum as unlimited', () => {
    expect(withLimit(-1, 'invalidate_license', 5000)[0]).toMatchObject({ level: 'green' });
  });

  it('is amber when active users could not be counted', () => {
    expect(withLimit(100, 'invalidate_license', undefined)[0]).toMatchObject({ id: 'limit-activeUsers-uncounted', level: 'amber' });
  });

  it('lists the limits it does not count as info', () => {
    const items = checkLicense(license({ limits: { guestUsers: [{ max: 10, behavior: 'prevent_action' }] } }), context());
    expect(byId(items, 'limits-not-counted')).toMatchObject({ level: 'info', details: { limits: ['guestUsers ≤ 10'] } });
  });
});

describe('license type, legacy v2 and the license in place', () => {
  it('is amber for a trial and info for a license not marked offline', () => {
    expect(byId(checkLicense(license({ trial: true }), context()), 'trial')?.level).toBe('amber');
    expect(byId(checkLicense(license({ offline: false }), context()), 'not-offline')?.level).toBe('info');
  });

  it('is amber for an opaque v2 license and checks nothing it cannot read', () => {
    const blob = Buffer.alloc(512, 3).toString('base64');
    const result = parseLicense(blob);
    if (!result.ok) throw new Error('v2 blob refused');
    const items = checkLicense(result.license, context());
    expect(levels(items)).toEqual({ 'v2-opaque': 'amber', 'no-current-license': 'info', 'signature-not-verified': 'info' });
  });

  it('says "already applied" for the same license with status Valid, by fingerprint or by text', () => {
    const parsedLicense = license();
    const text = token(buildLicensePayload(baseOptions));
    expect(byId(checkLicense(parsedLicense, context({ currentLicense: { status: 'Valid', text } })), 'already-applied')?.level).toBe('info');
    const byFingerprint = { status: 'Valid', fingerprint: licenseFingerprint(text) };
    expect(byId(checkLicense(parsedLicense, context({ currentLicense: byFingerprint })), 'already-applied')).toBeDefined();
  });

  it('is amber for the same license stored but Invalid, and for replacing a Valid license', () => {
    const parsedLicense = license();
    const fingerprint = parsedLicense.fingerprint;
    expect(byId(checkLicense(parsedLicense, context({ currentLicense: { status: 'Invalid', fingerprint } })), 'same-as-current')?.level).toBe('amber');
    const other = { status: 'Valid', fingerprint: '0'.repeat(64) };
    expect(byId(checkLicense(parsedLicense, context({ currentLicense: other })), 'replaces-valid-license')?.level).toBe('amber');
    const invalidOther = { status: 'Invalid', fingerprint: '0'.repeat(64) };
    expect(byId(checkLicense(parsedLicense, context({ currentLicense: invalidOther })), 'replaces-license')?.level).toBe('info');
  });

  it('always notes that the signature is not verified here', () => {
    expect(byId(checkLicense(license(), context()), 'signature-not-verified')).toMatchObject({ level: 'info' });
  });
});

describe('canApply', () => {
  const items: LicenseCheckItem[] = [
    { id: 'a', level: 'green', message: { en: '', 'zh-CN': '' }, details: {} },
    { id: 'b', level: 'amber', message: { en: '', 'zh-CN': '' }, details: {} },
    { id: 'c', level: 'amber', message: { en: '', 'zh-CN': '' }, details: {} },
    { id: 'd', level: 'info', message: { en: '', 'zh-CN': '' }, details: {} },
  ];

  it('needs every amber acknowledged', () => {
    expect(canApply(items, ['b'])).toEqual({ allowed: false, blockedBy: [], unacknowledged: ['c'] });
    expect(canApply(items, new Set(['b', 'c']))).toEqual({ allowed: true, blockedBy: [], unacknowledged: [] });
  });

  it('is blocked by any red, acknowledged or not', () => {
    const withRed = [...items, { id: 'e', level: 'red' as const, message: { en: '', 'zh-CN': '' }, details: {} }];
    expect(canApply(withRed, ['b', 'c', 'e'])).toEqual({ allowed: false, blockedBy: ['e'], unacknowledged: [] });
  });
});

describe('messages', () => {
  it('exist in English and Simplified Chinese for every item the checks can produce', () => {
    const scenarios: LicenseCheckItem[][] = [
      checkLicense(license(), context()),
      checkLicense(license({ trial: true, offline: false, validUntil: new Date(NOW + 5 * DAY) }), context({ currentLicense: { status: 'Valid', fingerprint: 'x' } })),
      checkLicense(license({ validUntil: new Date(NOW - 5 * DAY), limits: { activeUsers: [{ max: 1, behavior: 'invalidate_license' }], privateApps: [{ max: 3, behavior: 'prevent_action' }] } }), context({ siteUrl: 'https://elsewhere.org' })),
      checkLicense(license({ validFrom: new Date(NOW + DAY) }), context({ siteUrl: undefined, activeUsers: undefined, nodeClocks: [{ node: 'x', epochSeconds: NaN }] })),
      checkLicense(license({ serverUrls: [{ value: 'h', type: 'hash' }, { value: '(', type: 'regex' }, { value: 'x', type: 'other' }] }), context({ siteUrl: '', nodeClocks: [] })),
      checkLicense(license({ validFrom: new Date(NOW - 1000) }), context({ nodeClocks: [{ node: 'n', epochSeconds: NOW / 1000 - 60 }, { node: 'm', epochSeconds: NOW / 1000 + 60 }] })),
    ];
    const all = scenarios.flat();
    expect(new Set(all.map((check) => check.id.split(':')[0])).size).toBeGreaterThanOrEqual(20);
    for (const check of all) {
      expect([check.id, check.message.en.length > 10]).toEqual([check.id, true]);
      expect([check.id, /[\u4e00-\u9fff]/.test(check.message['zh-CN'])]).toEqual([check.id, true]);
      expect([check.id, /[\u4e00-\u9fff]/.test(check.message.en)]).toEqual([check.id, false]);
    }
  });
});
