import { describe, expect, it } from 'vitest';
import type { LicenseBackup, LicenseCheckItemView, LicenseVerification, NodeVerification } from '../../../shared/contract/license';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import {
  acknowledgedAmber,
  applyBlockers,
  applyPlanLines,
  groupByLevel,
  parseGraceSeconds,
  preferredMethod,
  revertPlanLines,
  takesLicense,
  validityLeft,
  verificationProgress,
  type ApplyInput,
  type CheckedLicense,
} from './license-view';

const fingerprint = 'ab'.repeat(32);

function item(id: string, level: LicenseCheckItemView['level']): LicenseCheckItemView {
  return { id, level, message: { en: id, 'zh-CN': id }, details: {} };
}

function checked(change: Partial<CheckedLicense> = {}): CheckedLicense {
  return {
    ok: true,
    cluster: 'chat',
    fingerprint,
    notice: { en: 'signature', 'zh-CN': '签名' },
    summary: { version: 2, encryptedBytes: 100 },
    items: [item('site-url', 'green'), item('signature-not-verified', 'info')],
    blockedBy: [],
    needsAcknowledgement: [],
    current: { fingerprint: 'cd'.repeat(32), status: 'Invalid' },
    methods: ['rest', 'mongo'],
    methodNotes: [],
    nodes: ['rc1', 'rc2', 'rc3', 'rc4'],
    ...change,
  };
}

const ready = (result: CheckedLicense, change: Partial<ApplyInput> = {}): ApplyInput => ({
  result,
  acknowledged: new Set(),
  method: 'rest',
  graceSeconds: 60,
  production: false,
  cluster: 'chat',
  typedName: '',
  ...change,
});

describe('grouping the checks', () => {
  it('puts red first, then amber, green and info, leaving out empty levels and keeping the order within one', () => {
    const groups = groupByLevel([item('a', 'info'), item('b', 'green'), item('c', 'red'), item('d', 'info'), item('e', 'red')]);
    expect(groups.map((group) => [group.level, group.items.map((i) => i.id)])).toEqual([
      ['red', ['c', 'e']],
      ['green', ['b']],
      ['info', ['a', 'd']],
    ]);
  });
});

describe('whether Apply is enabled', () => {
  it('nothing blocks a license with only green and info items on a non-production cluster', () => {
    expect(applyBlockers(ready(checked()))).toEqual([]);
  });

  it('a red item blocks outright, even when ticked', () => {
    const result = checked({ items: [item('site-url:0', 'red')] });
    expect(applyBlockers(ready(result, { acknowledged: new Set(['site-url:0']) }))).toEqual([{ kind: 'red', checks: ['site-url:0'] }]);
  });

  it('each amber item needs its own tick', () => {
    const result = checked({ items: [item('trial', 'amber'), item('replaces-valid-license', 'amber')] });
    expect(applyBlockers(ready(result, { acknowledged: new Set(['trial']) }))).toEqual([{ kind: 'unacknowledged', checks: ['replaces-valid-license'] }]);
    expect(applyBlockers(ready(result, { acknowledged: new Set(['trial', 'replaces-valid-license']) }))).toEqual([]);
  });

  it('needs no grace period for a license file, which is verified as soon as it is in place', () => {
    const file = checked({ methods: ['file'], nodes: ['voms-1'] });
    expect(applyBlockers(ready(file, { method: 'file', graceSeconds: undefined }))).toEqual([]);
  });

  it('needs a method the cluster offers and a valid grace period', () => {
    expect(applyBlockers(ready(checked({ methods: [] }), { method: undefined }))).toEqual([{ kind: 'no-method' }]);
    expect(applyBlockers(ready(checked({ methods: ['mongo'] }), { method: 'rest' }))).toEqual([{ kind: 'no-method' }]);
    expect(applyBlockers(ready(checked(), { graceSeconds: undefined }))).toEqual([{ kind: 'grace' }]);
  });

  it('a production cluster needs its exact name typed', () => {
    expect(applyBlockers(ready(checked(), { production: true, typedName: 'Chat' }))).toEqual([{ kind: 'confirm-name' }]);
    expect(applyBlockers(ready(checked(), { production: true, typedName: 'chat' }))).toEqual([]);
  });

  it('sends only the ticks of amber items still present after a re-check', () => {
    const items = [item('trial', 'amber'), item('site-url', 'green')];
    expect(acknowledgedAmber(items, new Set(['trial', 'site-url', 'node-clock-skew:rc2']))).toEqual(['trial']);
  });
});

describe('the grace period field', () => {
  it('takes whole seconds from 0 to 1800', () => {
    expect(parseGraceSeconds('60')).toBe(60);
    expect(parseGraceSeconds(' 0 ')).toBe(0);
    expect(parseGraceSeconds('1800')).toBe(1800);
  });

  it('refuses fractions, negatives, empty text and too long a wait', () => {
    for (const value of ['', '1.5', '-1', '1801', 'abc', '1e3']) expect(parseGraceSeconds(value), value).toBeUndefined();
  });
});

describe('the preferred method', () => {
  it('is licenses.add when offered, else what is left', () => {
    expect(preferredMethod(['mongo', 'rest'])).toBe('rest');
    expect(preferredMethod(['mongo'])).toBe('mongo');
    expect(preferredMethod([])).toBeUndefined();
  });
});

describe('days left', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('counts whole days until the end', () => {
    expect(validityLeft('2026-12-06T12:00:00Z', now)).toEqual({ expired: false, days: 10 });
    expect(validityLeft('2026-12-06T11:59:59Z', now)).toEqual({ expired: false, days: 9 });
  });
  it('counts whole days since an end that passed, as the expiry check words it', () => {
    expect(validityLeft('2026-10-22T03:35:17Z', now)).toEqual({ expired: true, days: 35 });
    expect(validityLeft('2026-11-26T11:00:00Z', now)).toEqual({ expired: true, days: 0 });
  });
  it('has no answer for a license without an end or an unreadable date', () => {
    expect(validityLeft(undefined, now)).toBeUndefined();
    expect(validityLeft('soon', now)).toBeUndefined();
  });
});

describe('what will happen', () => {
  it('for licenses.add: the backup of the current license, the direct POST, the nodes verified and the wait', () => {
    expect(applyPlanLines({ result: checked(), method: 'rest', graceSeconds: 30 })).toEqual([
      { key: 'backup', values: { fingerprint: `${'cd'.repeat(6)}…`, status: 'Invalid' } },
      { key: 'applyRest', values: { license: `${'ab'.repeat(6)}…`, nodes: 'rc1, rc2, rc3, rc4' } },
      { key: 'verify', values: { count: 4, nodes: 'rc1, rc2, rc3, rc4' } },
      { key: 'wait', values: { seconds: 30 } },
    ]);
  });

  it('for a MongoDB write on a cluster without a license: says none is stored and that the nodes must restart', () => {
    const lines = applyPlanLines({ result: checked({ current: {} }), method: 'mongo', graceSeconds: 60 });
    expect(lines.map((line) => line.key)).toEqual(['backupNone', 'applyMongo', 'verify', 'wait']);
    expect(lines[1]?.values).toEqual({ license: `${'ab'.repeat(6)}…`, count: 4 });
  });

  const backup = (change: Partial<LicenseBackup> = {}): LicenseBackup => ({ id: 'b1', cluster: 'chat', createdAt: '2026-11-26T00:00:00Z', fingerprint: 'cd'.repeat(32), status: 'Invalid', empty: false, ...change });

  it('for a revert: licenses.add when credentials exist, MongoDB otherwise, and always MongoDB back to no license', () => {
    const base = { nodes: ['rc1', 'rc2'], graceSeconds: 60, current: { fingerprint, status: 'Valid' } };
    expect(revertPlanLines({ ...base, backup: backup(), methods: ['rest', 'mongo'] })[1]).toEqual({ key: 'revertRest', values: { license: `${'cd'.repeat(6)}…`, nodes: 'rc1, rc2' } });
    expect(revertPlanLines({ ...base, backup: backup(), methods: ['mongo'] })[1]?.key).toBe('revertMongo');
    expect(revertPlanLines({ ...base, backup: backup({ empty: true, fingerprint: undefined }), methods: ['rest', 'mongo'] })[1]).toEqual({ key: 'revertEmpty', values: { count: 2 } });
  });

  it('for a revert: names the license backed up first when it is known, else what is stored then', () => {
    const known = revertPlanLines({ backup: backup(), current: { fingerprint, status: 'Valid' }, methods: ['rest', 'mongo'], nodes: ['rc1'], graceSeconds: 60 });
    expect(known[0]).toEqual({ key: 'backup', values: { fingerprint: `${'ab'.repeat(6)}…`, status: 'Valid' } });
    expect(revertPlanLines({ backup: backup(), methods: ['rest', 'mongo'], nodes: ['rc1'], graceSeconds: 60 })[0]).toEqual({ key: 'backupStored', values: {} });
  });
});

describe('license files (VOMS-style stacks)', () => {
  const file = checked({ methods: ['file'], nodes: ['voms-1', 'voms-2'], current: {} });
  it('says each host is backed up, gets the file atomically, has its unit restarted and is verified', () => {
    expect(applyPlanLines({ result: file, method: 'file', graceSeconds: undefined })).toEqual([
      { key: 'fileBackup', values: { count: 2, nodes: 'voms-1, voms-2' } },
      { key: 'filePut', values: { license: `${'ab'.repeat(6)}…` } },
      { key: 'fileRestart', values: {} },
      { key: 'fileVerify', values: { count: 2, nodes: 'voms-1, voms-2' } },
    ]);
  });
  it('reverts by putting every backed-up file back, or removing the file where there was none', () => {
    const backup: LicenseBackup = { id: 's1', cluster: 'voms', createdAt: '2026-11-26T00:00:00Z', fingerprint: 'cd'.repeat(32), empty: false };
    const base = { methods: ['file'] as const, nodes: ['voms-1'], graceSeconds: 60 };
    expect(revertPlanLines({ ...base, backup }).map((line) => line.key)).toEqual(['fileBackup', 'fileRestore', 'fileRestart', 'fileVerify']);
    expect(revertPlanLines({ ...base, backup: { ...backup, empty: true, fingerprint: undefined } })[1]?.key).toBe('fileRemove');
  });
});

describe('which clusters the wizard can license', () => {
  const host = (name: string, roles: string[], labels: Record<string, string> = {}): Host =>
    ({ name, address: '10.0.0.1', port: 22, user: 'ops', roles, labels, auth: { method: 'agent' } }) as unknown as Host;
  const cluster = (hosts: Host[]): Cluster => ({ name: 'c', environment: 'staging', stacks: [], hosts }) as unknown as Cluster;
  it('one with Rocket.Chat nodes, or with hosts that take a license file', () => {
    expect(takesLicense(cluster([host('db', ['mongodb']), host('rc1', ['rocketchat'])]))).toBe(true);
    expect(takesLicense(cluster([host('voms-1', ['voms'], { 'license.path': '/opt/voms/license.lic' })]))).toBe(true);
  });
  it('not one of only WuKongIM or VerneMQ nodes', () => {
    expect(takesLicense(cluster([host('wk1', ['wukongim']), host('mq1', ['vernemq'])]))).toBe(false);
  });
});

describe('verification progress', () => {
  const node = (name: string, state: NodeVerification['state']): NodeVerification => ({ node: name, state, license: 'expected', detail: '' });
  const verification = (nodes: NodeVerification[]): LicenseVerification => ({ cluster: 'chat', nodes, stale: [], at: '2026-11-26T00:00:00Z' });

  it('counts applied nodes and succeeds only when every node runs the license', () => {
    expect(verificationProgress(verification([node('rc1', 'applied'), node('rc2', 'stale'), node('rc3', 'down')]))).toEqual({ applied: 1, total: 3, allApplied: false });
    expect(verificationProgress(verification([node('rc1', 'applied'), node('rc2', 'applied')]))).toEqual({ applied: 2, total: 2, allApplied: true });
  });

  it('is not a success when there is no node to verify', () => {
    expect(verificationProgress(verification([])).allApplied).toBe(false);
  });
});
