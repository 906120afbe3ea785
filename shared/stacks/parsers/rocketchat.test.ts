import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseRocketChatHealth,
  parseRocketChatInfo,
  parseRocketChatLicensesInfo,
  parseRocketChatProbe,
  parseRocketChatSetting,
} from './rocketchat';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('Rocket.Chat /api/info', () => {
  it('knows a major.minor version from a full one', () => {
    expect(parseRocketChatInfo(fixture('rocketchat/info-unauthenticated.synthetic.json'), 200)).toEqual({
      status: 'ok',
      value: { version: '7.0', precision: 'major.minor' },
    });
    expect(parseRocketChatInfo(fixture('rocketchat/info-authenticated.synthetic.json'), 200)).toEqual({
      status: 'ok',
      value: { version: '7.0.3', precision: 'full', commit: '0a3b5c7d' },
    });
  });

  it('says unknown behind a proxy error page', () => {
    expect(parseRocketChatInfo('<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n', 503)).toMatchObject({
      status: 'unknown',
      reason: 'HTTP 503',
    });
    expect(parseRocketChatInfo('<html><body>login</body></html>', 200)).toMatchObject({ status: 'unknown', reason: 'HTML instead of JSON' });
  });
});

describe('Rocket.Chat health endpoints', () => {
  it('reads /health', () => {
    expect(parseRocketChatHealth(fixture('rocketchat/health-ok.synthetic.txt'), 200)).toEqual({ status: 'ok', value: { healthy: true, reasons: [] } });
    expect(parseRocketChatHealth('MongoDB is not reachable', 500)).toEqual({ status: 'ok', value: { healthy: false, reasons: ['MongoDB is not reachable'] } });
    expect(parseRocketChatHealth(fixture('health/haproxy-503-html-with-code.txt'), 503).status).toBe('unknown');
  });

  it('reads /readyz with checks as an array or as a map', () => {
    expect(parseRocketChatProbe(fixture('rocketchat/readyz-ok-checks-array.synthetic.json'), 200)).toEqual({
      status: 'ok',
      value: { overall: 'ok', checks: { mongo: 'ok', instance: 'ok' }, errors: {} },
    });
    expect(parseRocketChatProbe(fixture('rocketchat/readyz-error-checks-map.synthetic.json'), 503)).toEqual({
      status: 'ok',
      value: { overall: 'down', checks: { mongo: 'down' }, errors: { mongo: 'MongoServerSelectionError: connection timed out' } },
    });
  });
});

describe('Rocket.Chat licenses.info', () => {
  it('reads the documented v3 license answer', () => {
    const parsed = parseRocketChatLicensesInfo(fixture('rocketchat/licenses-info-openapi-example.json'), 200);
    expect(parsed).toMatchObject({
      status: 'ok',
      value: {
        hasLicense: true,
        version: '3.0',
        trial: true,
        offline: false,
        tags: ['Enterprise trial'],
        serverUrls: ['testspace.rocket.chat'],
        validUntil: '2024-03-24T00:00:00Z',
        preventedActions: [],
        limits: { activeUsers: { max: -1 }, guestUsers: { max: 235 } },
      },
    });
    if (parsed.status === 'ok') expect(parsed.value.activeModules).toContain('scalability');
  });

  it('reads a workspace without a license and its prevented actions', () => {
    expect(parseRocketChatLicensesInfo(fixture('rocketchat/licenses-info-community.synthetic.json'), 200)).toMatchObject({
      status: 'ok',
      value: { hasLicense: false, trial: false, activeModules: [], preventedActions: ['privateApps'], limits: { privateApps: { max: 3 } } },
    });
  });

  it('says unknown for a refused login or a cut answer', () => {
    expect(parseRocketChatLicensesInfo(fixture('rocketchat/unauthorized.synthetic.json'), 401)).toMatchObject({
      status: 'unknown',
      reason: 'not authorised (HTTP 401): check the admin credentials',
    });
    expect(parseRocketChatLicensesInfo(fixture('rocketchat/licenses-info-openapi-example.json').slice(0, 500), 200)).toMatchObject({
      status: 'unknown',
      reason: 'JSON cut short (truncated?)',
    });
  });
});

describe('Rocket.Chat settings documents', () => {
  it('reads the license status and the air-gap days in both EJSON forms', () => {
    expect(parseRocketChatSetting(fixture('rocketchat/setting-license-status-invalid.synthetic.json'))).toEqual({
      status: 'ok',
      value: { id: 'Enterprise_License_Status', value: 'Invalid' },
    });
    expect(parseRocketChatSetting(fixture('rocketchat/setting-airgapped-days-canonical.synthetic.json'))).toEqual({
      status: 'ok',
      value: { id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: 0 },
    });
    expect(parseRocketChatSetting(fixture('rocketchat/setting-airgapped-days-relaxed.synthetic.json'))).toEqual({
      status: 'ok',
      value: { id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: -1 },
    });
  });

  it('refuses other settings without ever echoing their value', () => {
    const licenseText = 'RCV3_eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWxpY2Vuc2UtcGF5bG9hZA.c2ln';
    const refused = parseRocketChatSetting(JSON.stringify({ _id: 'Enterprise_License', value: licenseText }));
    expect(refused.status).toBe('unknown');
    expect(JSON.stringify(refused)).not.toContain('RCV3_');
    const cut = parseRocketChatSetting(JSON.stringify({ _id: 'Enterprise_License', value: licenseText }).slice(0, 60));
    expect(cut.status).toBe('unknown');
    expect(JSON.stringify(cut)).not.toContain('RCV3_');
  });
});
