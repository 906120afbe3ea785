import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restartPolicySchema } from '../../../shared/contract/restart';
import { planSteps } from '../../../shared/ops/plan';
import { liveStateOf } from '../../../shared/restart/live-state';
import { allProfiles } from '../../../shared/stacks/catalog';
import { openLabRig } from '../../testing/lab-rig';
import { InspectEngine } from '../inspect/engine';
import { createLogger } from '../log/logger';
import { OperationEngine } from '../ops/engine';
import { restartKinds } from './kinds';
import { RestartService } from './service';

/** Staged restarts of the wukongim-split and vernemq-nonempty labs (SIMULATIONS). */

const log = createLogger({ minLevel: 'error', sink: () => undefined });
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(scenario: string) {
  const rig = await openLabRig(scenario);
  const { dir, lab, runner, mongo } = rig;
  const kinds = restartKinds({ runner, cluster: rig.cluster, mongo: (c) => mongo.db(c) });
  const newEngine = () => new OperationEngine({ dir: join(dir, 'ops'), executors: kinds.executors, checks: kinds.checks, log, actor: 'test' });
  const engine = newEngine();
  const inspect = new InspectEngine({ runner, mongo, profiles: allProfiles, log });
  const service = new RestartService({ clusters: async () => lab.clusters, snapshot: async (c) => (await inspect.inspect(c)).snapshot, engine });
  cleanups.push(async () => {
    await engine.dispose();
    await rig.close();
  });
  return { lab, engine, service, inspect, newEngine };
}

describe('staged restart against the lab (simulation)', () => {
  it('wukongim-split: starts 1001 first, waits for each node; afterwards all agree on 3 members and one leader', async () => {
    const { lab, engine, service, inspect } = await setUp('wukongim-split');
    const policy = restartPolicySchema.parse({ gateTimeoutSeconds: 60 });
    const planned = await service.plan('wukongim', policy);
    expect(planSteps(planned.plan).map((p) => p.step.id)[0]).toBe('wukongim-1001:restart');
    // The split itself is the incident: the planner may see members as down; restart it anyway in order.
    const { opId } = planned.refusals.length === 0 ? await service.start('wukongim', policy) : { opId: await engine.start(planned.plan, { onGateFailure: 'stop' }) };
    const state = await engine.settled(opId);
    expect(state.steps.map((s) => `${s.id} ${s.status} ${s.gate?.detail ?? s.error?.message ?? ''}`).filter((line) => !line.includes(' succeeded '))).toEqual([]);
    expect(state.steps.map((s) => s.id)).toEqual(['wukongim-1001:restart', 'wukongim-1002:restart', 'wukongim-1003:restart']);
    const live = liveStateOf((await inspect.inspect(lab.clusters.find((c) => c.name === 'wukongim')!)).snapshot);
    for (const view of Object.values(live.wukongim)) {
      expect(view.view?.map((m) => m.id).sort()).toEqual([1001, 1002, 1003]);
      expect(view.view?.filter((m) => m.leader)).toHaveLength(1);
      expect(view.view?.every((m) => m.online)).toBe(true);
    }
  }, 120_000);

  it('vernemq-nonempty: turns the bridge off, restarts, joins, then enables and starts the bridge; cluster show lists 3 nodes Running', async () => {
    const { lab, engine, service, inspect } = await setUp('vernemq-nonempty');
    const policy = restartPolicySchema.parse({ nodes: ['vernemq-3'], gateTimeoutSeconds: 60 });
    const planned = await service.plan('vernemq', policy);
    expect(planned.refusals).toEqual([]);
    expect(planSteps(planned.plan).map((p) => p.step.id)).toEqual([
      'vernemq-3:bridge-off',
      'vernemq-3:restart',
      'vernemq-3:join',
      'vernemq-3:bridge-enable',
      'vernemq-3:bridge-start',
      'vernemq-3:bridge-config-on',
    ]);
    const { opId } = await service.start('vernemq', policy);
    const state = await engine.settled(opId);
    expect(state.steps.map((s) => `${s.id} ${s.status} ${s.gate?.detail ?? s.error?.message ?? ''}`).filter((line) => !line.includes(' succeeded '))).toEqual([]);
    const snapshot = (await inspect.inspect(lab.clusters.find((c) => c.name === 'vernemq')!)).snapshot;
    const live = liveStateOf(snapshot);
    expect(Object.values(live.vernemq).every((node) => node.joined)).toBe(true);
    expect(live.vernemq['vernemq-3']?.bridgeEnabled).toBe(true);
    const view = snapshot.hosts.find((h) => h.host.name === 'vernemq-1')!.facts['vernemq.cluster'];
    expect(view).toMatchObject({ status: 'ok' });
    expect((view as { value: { nodes: { running: boolean }[] } }).value.nodes.filter((n) => n.running)).toHaveLength(3);
  }, 120_000);

  it('a gate that never passes stops the operation at that node; the others are untouched', async () => {
    const { engine, service } = await setUp('wukongim-split');
    const policy = restartPolicySchema.parse({ gateTimeoutSeconds: 5 });
    const planned = await service.plan('wukongim', policy);
    // A member that does not exist can never be seen online: the seed's gate cannot pass.
    const broken = { ...planned.plan, batches: planned.plan.batches.map((b) => ({ ...b, steps: b.steps.map((s) => (s.id === 'wukongim-1001:restart' ? { ...s, gate: { ...s.gate!, params: { ...s.gate!.params, members: [1001, 1002, 1003, 1004] } } } : s)) })) };
    const opId = await engine.start(broken, { onGateFailure: 'stop' });
    const state = await engine.settled(opId);
    expect(state.status).toBe('failed');
    expect(state.steps.map((s) => [s.id, s.status])).toEqual([
      ['wukongim-1001:restart', 'failed'],
      ['wukongim-1002:restart', 'pending'],
      ['wukongim-1003:restart', 'pending'],
    ]);
    expect(state.steps[0]!.gate?.status).toBe('failed');
  }, 120_000);
});
