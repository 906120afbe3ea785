import { describe, expect, it } from 'vitest';
import { planSchema, planSteps } from '../ops/plan';
import { NO_LICENSE_FINGERPRINT } from './parse';
import { planLicense, type LicensePlanInput } from './plan';

const FINGERPRINT = 'ab'.repeat(32);
const base: LicensePlanInput = {
  cluster: 'chat-prod',
  title: 'Apply offline license',
  fingerprint: FINGERPRINT,
  describe: 'offline license for chat.example.com until 2027-11-26',
  method: 'rest',
  applyNode: 'rc2',
  licensePath: '/data/licenses/chat-prod/staged.lic',
  backupPath: '/data/licenses/chat-prod/backup-20261126T030000Z-0a1b2c3d.json',
  current: { fingerprint: 'cd'.repeat(32), status: 'Invalid' },
  nodes: ['rc1', 'rc2', 'rc3'],
  graceSeconds: 45,
  acceptTimeoutSeconds: 60,
};

describe('planLicense', () => {
  it('backs up, applies through the chosen node with an undo, then verifies every node', () => {
    const plan = planSchema.parse(planLicense(base));
    expect(planSteps(plan).map(({ step }) => step.id)).toEqual(['backup', 'apply', 'verify']);
    const [backup, apply, verify] = planSteps(plan).map(({ step }) => step);
    expect(backup!.guard?.kind).toBe('license.backupExists');
    expect(apply!.host).toBe('rc2');
    expect(apply!.description).toContain('POST /api/v1/licenses.add on rc2 directly');
    expect(apply!.gate).toMatchObject({ kind: 'license.accepted', timeoutMs: 60_000 });
    expect(apply!.undo).toEqual({ kind: 'license.restore', params: { method: 'rest', host: 'rc2', backupPath: base.backupPath } });
    expect(apply!.undoTitle).toContain('cdcdcdcdcdcd…');
    expect(verify!.idempotent).toBe(true);
    expect(verify!.action.params).toEqual({ fingerprint: FINGERPRINT, nodes: ['rc1', 'rc2', 'rc3'], graceMs: 45_000 });
  });

  it('never puts the license text in the plan, only its staged path and fingerprint', () => {
    const plan = planLicense(base);
    expect(JSON.stringify(plan)).not.toMatch(/RCV3_/);
    expect(plan.details).toMatchObject({ fingerprint: FINGERPRINT, previousFingerprint: 'cd'.repeat(32), method: 'rest' });
  });

  it('a MongoDB write names no node and says running nodes need a restart', () => {
    const { applyNode: _unused, ...withoutNode } = base;
    const apply = planSteps(planLicense({ ...withoutNode, method: 'mongo' }))[1]!.step;
    expect(apply.host).toBeUndefined();
    expect(apply.action.params).not.toHaveProperty('host');
    expect(apply.description).toContain('pick it up only when they restart');
  });

  it('names "no license" as none, not by the hash of an empty text', () => {
    const plan = planLicense({ ...base, current: {}, fingerprint: NO_LICENSE_FINGERPRINT });
    expect(planSteps(plan)[0]!.step.description).toContain('license none, status none');
    expect(planSteps(plan)[2]!.step.description).toContain('run license none');
  });
});
