import { describe, expect, it } from 'vitest';
import { hostSchema, type Host } from '../inventory/schema';
import { planSchema, planSteps } from '../ops/plan';
import { licenseFileTargetOf, planLicenseFile } from './file-plan';

const host = (labels: Record<string, string>, user = 'ops'): Host => hostSchema.parse({ name: 'voms-1', address: '10.0.0.5', user, roles: ['voms'], labels });

describe('licenseFileTargetOf', () => {
  it('reads path, owner:group, octal mode and the unit to restart', () => {
    expect(licenseFileTargetOf(host({ 'license.path': '/etc/voms/license.lic', 'license.owner': 'voms:voms', 'license.mode': '0640', 'license.restartUnit': 'voms-server' }))).toEqual({
      ok: true,
      target: { path: '/etc/voms/license.lic', owner: 'voms', group: 'voms', mode: 0o640, restartUnit: 'voms-server' },
    });
    expect(licenseFileTargetOf(host({}))).toBeUndefined();
  });

  it.each([
    [{ 'license.path': 'license.lic' }, /not an absolute file path/],
    [{ 'license.path': '/etc/../root/x' }, /not an absolute file path/],
    [{ 'license.path': '/etc/voms/' }, /not an absolute file path/],
    [{ 'license.path': '/etc/x', 'license.owner': 'voms;rm -rf /' }, /not user or user:group/],
    [{ 'license.path': '/etc/x', 'license.mode': '999' }, /not an octal mode/],
    [{ 'license.path': '/etc/x', 'license.restartUnit': '--now' }, /not a unit name/],
  ])('refuses labels %j with the reason', (labels, reason) => {
    const result = licenseFileTargetOf(host(labels));
    expect(result?.ok).toBe(false);
    expect(result && !result.ok ? result.problem : '').toMatch(reason);
  });
});

describe('planLicenseFile', () => {
  const target = { path: '/etc/voms/license.lic', owner: 'voms', group: 'voms', mode: 0o640, restartUnit: 'voms-server' };
  const sha = 'ef'.repeat(32);

  it('per host: back up, put (guarded by the file already being there, undone from the backup), restart with sudo and a gate; then verify', () => {
    const plan = planSchema.parse(
      planLicenseFile({
        cluster: 'voms',
        title: 't',
        fingerprint: 'ab'.repeat(32),
        action: 'license.apply',
        backupSet: '20261126T030000Z-0a1b2c3d',
        hosts: [{ host: host({}), target, backupPath: '/d/file-x-voms-1.json', source: { licensePath: '/d/staged.lic', sha256: sha } }],
      }),
    );
    const steps = planSteps(plan).map(({ step }) => step);
    expect(steps.map((s) => s.id)).toEqual(['voms-1:backup', 'voms-1:put', 'voms-1:restart', 'verify']);
    expect(steps[1]!.guard).toEqual({ kind: 'licenseFile.sha', params: { host: 'voms-1', remotePath: target.path, sha256: sha } });
    expect(steps[1]!.undo?.params).toMatchObject({ backupPath: '/d/file-x-voms-1.json' });
    expect(steps[1]!.description).toContain('mode 0640, owner voms:voms');
    expect(steps[2]!.action.params).toEqual({ host: 'voms-1', argv: ['sudo', '-n', '--', 'systemctl', 'restart', 'voms-server'] });
    expect(steps[3]!.action.params).toEqual({ expect: [{ host: 'voms-1', sha256: sha }] });
  });

  it('a revert restores from the backup and expects the file absent where there was none', () => {
    const plan = planLicenseFile({
      cluster: 'voms',
      title: 't',
      fingerprint: 'ab'.repeat(32),
      action: 'license.revert',
      backupSet: '20261126T030000Z-0a1b2c3d',
      hosts: [{ host: host({}, 'root'), target: { path: '/etc/voms/license.lic', mode: 0o640 }, backupPath: '/d/new.json', source: { restoreFrom: '/d/old.json' } }],
    });
    const steps = planSteps(plan).map(({ step }) => step);
    expect(steps.map((s) => s.id)).toEqual(['voms-1:backup', 'voms-1:put', 'verify']);
    expect(steps[1]!.action).toEqual({ kind: 'licenseFile.restore', params: { host: 'voms-1', remotePath: '/etc/voms/license.lic', backupPath: '/d/old.json' } });
    expect(steps[1]!.description).toContain('Remove /etc/voms/license.lic');
    expect(steps[2]!.action.params).toEqual({ expect: [{ host: 'voms-1' }] });
  });
});
