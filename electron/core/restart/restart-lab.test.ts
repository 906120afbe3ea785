import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../shared/ops/records';
import { restartPolicySchema } from '../../../shared/contract/restart';
import { allProfiles } from '../../../shared/stacks/catalog';
import type { LabHandle } from '../../lab/lab';
import { isRocketChatSystem, type RocketChatLabSystem } from '../../lab/systems/rocketchat';
import { openLabRig, type LabRig } from '../../testing/lab-rig';
import { InspectEngine } from '../inspect/engine';
import { createLogger } from '../log/logger';
import { OperationEngine } from '../ops/engine';
import { restartKinds } from './kinds';
import { RestartService } from './service';

/** A rolling restart of the rc-readonly lab (a SIMULATION) through the real engine, SSH pool and kinds. */

let rig: LabRig;
let dir: string;
let lab: LabHandle;
let rc: RocketChatLabSystem;
let direct: MongoClient;
let engine: OperationEngine;
let service: RestartService;
const log = createLogger({ minLevel: 'error', sink: () => undefined });

beforeAll(async () => {
  rig = await openLabRig('rc-readonly');
  ({ dir, lab } = rig);
  const { runner, mongo } = rig;
  const system = lab.system('rocketchat');
  if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
  rc = system;
  const kinds = restartKinds({ runner, cluster: rig.cluster, mongo: (c) => mongo.db(c) });
  engine = new OperationEngine({ dir: join(dir, 'ops'), executors: kinds.executors, checks: kinds.checks, log, actor: 'test' });
  const inspect = new InspectEngine({ runner, mongo, profiles: allProfiles, log });
  service = new RestartService({ clusters: async () => lab.clusters, snapshot: async (c) => (await inspect.inspect(c)).snapshot, engine });
  direct = new MongoClient(rc.mongoUrl);
  await direct.connect();
}, 60_000);

afterAll(async () => {
  await engine?.dispose();
  await direct?.close();
  await rig?.close();
});

function journal(opId: string): JournalRecord[] {
  return readFileSync(join(dir, 'ops', `${opId}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalRecord);
}

describe('staged restart of rc-readonly (simulation)', () => {
  it('rolls through the 4 nodes: each drained before its stop, never fewer than 3 servers UP', async () => {
    const valid = readFileSync(join(dir, 'lab', 'licenses', 'valid.lic'), 'utf8').trim();
    await direct.db().collection<{ _id: string; value: unknown }>('rocketchat_settings').updateOne({ _id: 'Enterprise_License' }, { $set: { value: valid } }, { upsert: true });

    const policy = restartPolicySchema.parse({ roles: ['rocketchat'], gateTimeoutSeconds: 60 });
    const planned = await service.plan('rocketchat', policy);
    expect(planned.refusals).toEqual([]);

    const samples: Record<string, string>[] = [];
    const sampler = setInterval(() => samples.push(rc.haproxy.serverStatus()), 1);
    let opId: string;
    try {
      ({ opId } = await service.start('rocketchat', policy));
      const state = await engine.settled(opId);
      expect(state.steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.id} ${s.status} ${s.error?.message ?? s.gate?.detail ?? ''}`)).toEqual([]);
      expect(state.status).toBe('succeeded');
    } finally {
      clearInterval(sampler);
    }
    expect(samples.length).toBeGreaterThan(10);
    const upCounts = samples.map((sample) => Object.values(sample).filter((status) => status.startsWith('UP')).length);
    expect(Math.min(...upCounts)).toBeGreaterThanOrEqual(3);
    for (const node of ['rc1', 'rc2', 'rc3', 'rc4']) expect(samples.some((sample) => sample[node]?.startsWith('DRAIN'))).toBe(true);

    const records = journal(opId);
    const at = (type: string, stepId: string) => records.findIndex((r) => r.type === type && 'stepId' in r && r.stepId === stepId);
    for (const node of ['rc1', 'rc2', 'rc3', 'rc4']) {
      expect(at('step-succeeded', `${node}:drain`)).toBeGreaterThanOrEqual(0);
      expect(at('step-succeeded', `${node}:drain`)).toBeLessThan(at('step-started', `${node}:restart`));
      expect(at('gate-passed', `${node}:restart`)).toBeLessThan(at('step-started', `${node}:ready`));
    }
    expect(Object.values(rc.haproxy.serverStatus()).every((status) => status.startsWith('UP'))).toBe(true);
  }, 120_000);

  it('refuses a second operation on the cluster while the first holds its lock', async () => {
    const policy = restartPolicySchema.parse({ roles: ['rocketchat'], nodes: ['rc1'], gateTimeoutSeconds: 60 });
    const { opId } = await service.start('rocketchat', policy);
    try {
      await expect(service.start('rocketchat', policy)).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await engine.settled(opId);
    }
    expect((await engine.get(opId)).status).toBe('succeeded');
  }, 120_000);
});
