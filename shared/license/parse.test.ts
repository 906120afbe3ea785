import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LICENSE_MAX_BYTES } from './input';
import { licenseFingerprint, parseLicense, type ParseLicenseResult, type ParsedLicenseV3 } from './parse';
import { buildLicensePayload } from './payload';

// The parser does not verify signatures, so a dummy 256-byte one stands in for RS256.
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const SIGNATURE = Buffer.alloc(256, 7).toString('base64url');
const HEADER = { alg: 'RS256', typ: 'JWT' };
const token = (payload: unknown, header: unknown = HEADER): string => `RCV3_${part(header)}.${part(payload)}.${SIGNATURE}`;

const now = new Date('2025-06-01T00:00:00Z');
const payload = buildLicensePayload({
  siteUrl: 'https://chat.example.com',
  validFrom: new Date('2025-01-01T00:00:00Z'),
  validUntil: new Date('2026-01-01T00:00:00Z'),
  createdAt: now,
  id: 'license-1',
  limits: {
    activeUsers: [{ max: 500, behavior: 'prevent_action' }, { max: 600, behavior: 'invalidate_license' }],
    guestUsers: [{ max: 20, behavior: 'prevent_action' }],
  },
  modules: ['scalability', 'auditing'],
});
const VALID = token(payload);

function rejectionOf(result: ParseLicenseResult): { code: string; en: string; zh: string } {
  if (result.ok) throw new Error('expected a rejection');
  return { code: result.rejection.code, en: result.rejection.message.en, zh: result.rejection.message['zh-CN'] };
}

function v3(result: ParseLicenseResult): ParsedLicenseV3 {
  if (!result.ok || result.license.version !== 3) throw new Error(`expected a v3 license, got ${JSON.stringify(result)}`);
  return result.license;
}

describe('parseLicense: Rocket.Chat v3', () => {
  it('decodes header and payload, reports RS256 and that the signature is not verified here', () => {
    const license = v3(parseLicense(`\n  ${VALID}\r\n`));
    expect(license.alg).toBe('RS256');
    expect(license.header).toEqual(HEADER);
    expect(license.signatureVerified).toBe(false);
    expect(license.signatureBytes).toBe(256);
    expect(license.notice.en).toMatch(/not verified here.*Rocket\.Chat verifies/);
    expect(license.notice['zh-CN']).toContain('不验证签名');
    expect(license.payload.information.id).toBe('license-1');
  });

  it('summarises type, grantee, server URLs, periods, modules, limits and creation date', () => {
    const { summary } = v3(parseLicense(VALID));
    expect(summary).toMatchObject({
      type: 'offline',
      id: 'license-1',
      issuedTo: { name: 'Switchboard lab (simulation)', company: 'Switchboard lab (simulation)' },
      serverUrls: [{ value: 'chat.example.com', type: 'url' }],
      validPeriods: [
        { validFrom: '2025-01-01T00:00:00.000Z', validUntil: '2026-01-01T00:00:00.000Z', invalidBehavior: 'invalidate_license' },
      ],
      modules: ['scalability', 'auditing'],
      limits: {
        activeUsers: [
          { max: 500, behavior: 'prevent_action' },
          { max: 600, behavior: 'invalidate_license' },
        ],
        guestUsers: [{ max: 20, behavior: 'prevent_action' }],
      },
      createdAt: now.toISOString(),
      statisticsReportRequired: false,
    });
    expect(Object.keys(summary.limits)).toEqual(['activeUsers', 'guestUsers']);
  });

  it('calls a trial a trial, and a license not marked offline online', () => {
    expect(v3(parseLicense(token({ ...payload, information: { ...payload.information, trial: true } }))).summary.type).toBe('trial');
    expect(v3(parseLicense(token({ ...payload, information: { ...payload.information, offline: false } }))).summary.type).toBe('online');
  });

  it('keeps unknown fields and tolerates values from a newer Rocket.Chat', () => {
    const newer = {
      ...payload,
      futureField: { x: 1 },
      validation: { ...payload.validation, serverUrls: [{ value: 'chat.example.com', type: 'ip-range' }] },
      grantedModules: [{ module: 'not-invented-yet', external: true }],
    };
    const license = v3(parseLicense(token(newer)));
    expect((license.payload as Record<string, unknown>).futureField).toEqual({ x: 1 });
    expect(license.summary.serverUrls[0]?.type).toBe('ip-range');
    expect(license.summary.modules).toEqual(['not-invented-yet']);
  });

  it('fingerprints the trimmed text as stable lowercase SHA-256 hex', () => {
    const license = v3(parseLicense(VALID));
    expect(license.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(license.fingerprint).toBe(createHash('sha256').update(VALID).digest('hex'));
    expect(v3(parseLicense(`${VALID}\n`)).fingerprint).toBe(license.fingerprint);
    expect(licenseFingerprint(`  ${VALID}`)).toBe(license.fingerprint);
    expect(v3(parseLicense(token({ ...payload, id: 'other' }))).fingerprint).not.toBe(license.fingerprint);
  });
});

describe('parseLicense: refusals', () => {
  it('refuses empty, whitespace-only, binary and oversize input', () => {
    expect(rejectionOf(parseLicense('')).code).toBe('empty');
    expect(rejectionOf(parseLicense(' \n\t ')).code).toBe('empty');
    expect(rejectionOf(parseLicense('RCV3_\u0000\u0001')).code).toBe('binary');
    expect(rejectionOf(parseLicense(`RCV3_${'A'.repeat(LICENSE_MAX_BYTES)}`)).code).toBe('too-large');
  });

  it('refuses a JWT cut at any point as truncated (or, where it cannot tell, malformed)', () => {
    const jwtStart = 'RCV3_'.length;
    const firstDot = VALID.indexOf('.');
    const secondDot = VALID.indexOf('.', firstDot + 1);
    const cuts = {
      'inside the header': jwtStart + 10,
      'after the header': firstDot + 1,
      'inside the payload': firstDot + 1 + Math.floor((secondDot - firstDot) / 2),
      'after the payload': secondDot,
      'after the last dot': secondDot + 1,
      'inside the signature': secondDot + 1 + 171,
      'one character short': VALID.length - 1,
    };
    for (const [where, at] of Object.entries(cuts)) {
      const result = rejectionOf(parseLicense(VALID.slice(0, at)));
      expect([where, result.code]).toEqual([where, 'truncated']);
    }
  });

  it('explains each truncation in one line that names the part', () => {
    const secondDot = VALID.lastIndexOf('.');
    expect(rejectionOf(parseLicense(VALID.slice(0, secondDot))).en).toContain('2 of 3 parts');
    expect(rejectionOf(parseLicense(VALID.slice(0, secondDot + 1))).en).toContain('signature is empty');
    expect(rejectionOf(parseLicense(VALID.slice(0, secondDot + 100))).en).toMatch(/signature is \d+ bytes/);
  });

  it('refuses a payload that is cut-off JSON inside a well-formed JWT as truncated', () => {
    const cutJson = Buffer.from(JSON.stringify(payload).slice(0, 80)).toString('base64url');
    const text = `RCV3_${part(HEADER)}.${cutJson}.${SIGNATURE}`;
    expect(rejectionOf(parseLicense(text))).toMatchObject({ code: 'truncated', en: expect.stringContaining('payload') });
  });

  it('refuses bad base64url, non-object JSON and a payload missing required fields as malformed, naming the field', () => {
    expect(rejectionOf(parseLicense(`RCV3_${part(HEADER)}.ab*d.${SIGNATURE}`)).code).toBe('malformed');
    expect(rejectionOf(parseLicense(`RCV3_${part(HEADER)}.${part([1, 2])}.${SIGNATURE}`)).code).toBe('malformed');
    const { validation: _dropped, ...withoutValidation } = payload;
    expect(rejectionOf(parseLicense(token(withoutValidation)))).toMatchObject({
      code: 'malformed',
      en: 'The license payload lacks the required field validation.',
    });
    const noPeriods = { ...payload, validation: { ...payload.validation, validPeriods: undefined } };
    expect(rejectionOf(parseLicense(token(noPeriods))).en).toContain('validation.validPeriods');
    const badMax = { ...payload, limits: { activeUsers: [{ max: 'lots', behavior: 'prevent_action' }] } };
    expect(rejectionOf(parseLicense(token(badMax)))).toMatchObject({ code: 'malformed', en: expect.stringContaining('limits.activeUsers.0.max') });
    expect(rejectionOf(parseLicense(`${VALID}.extra`)).code).toBe('malformed');
  });

  it('refuses any algorithm other than RS256 and names it', () => {
    expect(rejectionOf(parseLicense(token(payload, { alg: 'HS256', typ: 'JWT' })))).toMatchObject({
      code: 'unsupported-alg',
      en: expect.stringContaining('"HS256"'),
    });
    expect(rejectionOf(parseLicense(token(payload, { alg: 'none' }))).code).toBe('unsupported-alg');
    expect(rejectionOf(parseLicense(token(payload, { typ: 'JWT' }))).en).toContain('none given');
  });

  it('refuses a license with line breaks inside, which Rocket.Chat would not accept', () => {
    const wrapped = `${VALID.slice(0, 60)}\n${VALID.slice(60)}`;
    expect(rejectionOf(parseLicense(wrapped))).toMatchObject({ code: 'malformed', en: expect.stringContaining('line breaks') });
  });

  it('recognises a bare JWT without the RCV3_ prefix', () => {
    expect(rejectionOf(parseLicense(VALID.slice('RCV3_'.length))).code).toBe('missing-prefix');
  });

  it('refuses text that is no license at all', () => {
    for (const garbage of ['hello world', 'helloworld', '{"license": true}', '-----BEGIN PUBLIC KEY-----', 'RCV4_abc', 'QUJD'.repeat(100).replace('J', ' ')]) {
      expect([garbage, rejectionOf(parseLicense(garbage)).code]).toEqual([garbage, 'unrecognised']);
    }
  });

  it('never echoes the license text in a reason', () => {
    const texts = [VALID.slice(0, 200), token(payload, { alg: 'HS256' }), `${VALID}.x`, token({ ...payload, version: undefined })];
    for (const text of texts) {
      const { en, zh } = rejectionOf(parseLicense(text));
      expect(en).not.toContain(text.slice(5, 40));
      expect(zh).not.toContain(text.slice(5, 40));
      expect(en).not.toContain('\n');
    }
  });
});

describe('parseLicense: legacy v2', () => {
  const blob = Buffer.from(Uint8Array.from({ length: 512 }, (_, index) => (0x5a + index * 13) & 0xff)).toString('base64');

  it('accepts an encrypted base64 blob as opaque and says its contents cannot be read', () => {
    const result = parseLicense(`${blob}\n`);
    expect(result.ok).toBe(true);
    if (!result.ok || result.license.version !== 2) return;
    expect(result.license).toMatchObject({ version: 2, opaque: true, encryptedBytes: 512 });
    expect(result.license.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(result.license.notice.en).toContain('cannot be read before Rocket.Chat decrypts it');
    expect(result.license.notice['zh-CN']).toContain('无法读取');
  });

  it('accepts a blob wrapped over several lines, and refuses one cut mid-group', () => {
    const wrapped = blob.match(/.{1,76}/g)?.join('\n') ?? '';
    expect(parseLicense(wrapped).ok).toBe(true);
    expect(rejectionOf(parseLicense(blob.slice(0, 401))).code).toBe('truncated');
  });
});
