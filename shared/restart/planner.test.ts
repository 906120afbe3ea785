import { describe, expect, it } from 'vitest';
import { restartPolicySchema, type RestartPolicy } from '../contract/restart';
import { clusterSchema, type Cluster, type ClusterForm } from '../inventory/schema';
import { planSchema, planSteps, type Plan } from '../ops/plan';
import type { LiveState } from './live-state';
import { planRestart } from './planner';

type HostSpec = { name: string; roles: string[]; user?: string; labels?: Record<string, string> };

function cluster(hosts: HostSpec[], stacks: string[]): Cluster {
  return clusterSchema.parse({
    name: 'c1',
    environment: 'staging',
    stacks: ['generic', ...stacks],
    hosts: hosts.map((h, i) => ({ name: h.name, address: `10.0.0.${i + 1}`, user: h.user ?? 'ops', roles: h.roles, ...(h.labels ? { labels: h.labels } : {}) })),
  } as ClusterForm);
}

const policy = (input: Partial<RestartPolicy> = {}): RestartPolicy => restartPolicySchema.parse(input);

function live(c: Cluster, patch: Partial<LiveState> = {}): LiveState {
  const hosts: LiveState['hosts'] = {};
  for (const host of c.hosts) hosts[host.name] = { reachable: true, services: {} };
  return { hosts, wukongim: {}, vernemq: {}, haproxy: {}, ...patch };
}

function ids(plan: Plan | undefined): string[] {
  return planSteps(plan!).map((p) => p.step.id);
}

const rcCluster = (n: number) =>
  cluster(
    [
      { name: 'mongodb', roles: ['mongodb'] },
      { name: 'haproxy', roles: ['haproxy'] },
      ...Array.from({ length: n }, (_, i) => ({ name: `rc${i + 1}`, roles: i === 0 ? ['rocketchat', 'presence'] : ['rocketchat'] })),
    ],
    ['rocketchat', 'presence'],
  );

function rcLive(c: Cluster, statuses: Record<string, 'UP' | 'DOWN' | 'DRAIN'>): LiveState {
  return live(c, {
    haproxy: {
      haproxy: {
        socket: '/run/haproxy/admin.sock',
        servers: Object.entries(statuses).map(([server, status]) => ({ backend: 'rocketchat_back', server, host: server, status })),
      },
    },
    rocketchatInstances: Object.fromEntries(Object.keys(statuses).map((name) => [name, [`old-${name}`]])),
  });
}

describe('planRestart: order of stages', () => {
  it('restarts data stores, then load balancers, then app nodes, then side services', () => {
    const c = rcCluster(3);
    const result = planRestart({ cluster: c, facts: rcLive(c, { rc1: 'UP', rc2: 'UP', rc3: 'UP' }), policy: policy() });
    expect(result.refusals).toEqual([]);
    expect(planSchema.safeParse(result.plan).success).toBe(true);
    const batches = result.plan!.batches.map((b) => b.id);
    expect(batches[0]).toBe('datastores');
    expect(batches[1]).toBe('load-balancers');
    expect(batches.at(-1)).toBe('side-services');
    expect(batches.slice(2, -1).every((id) => id.startsWith('rocketchat-'))).toBe(true);
  });

  it('VOMS: postgresql, redis, nats, then the server, then the workers, then caddy, each gated on its unit (and health)', () => {
    const c = cluster([{ name: 'voms-1', roles: ['voms', 'postgresql', 'redis', 'nats', 'caddy'], user: 'root' }], ['voms']);
    const result = planRestart({ cluster: c, facts: live(c), policy: policy() });
    expect(ids(result.plan)).toEqual([
      'voms-1:postgresql:restart',
      'voms-1:redis:restart',
      'voms-1:nats:restart',
      'voms-1:voms-server:restart',
      'voms-1:voms-worker-consumer:restart',
      'voms-1:voms-worker-scheduler:restart',
      'voms-1:caddy:restart',
    ]);
    const steps = planSteps(result.plan!).map((p) => p.step);
    expect(steps[0]!.action.params.argv).toEqual(['systemctl', 'restart', 'postgresql']);
    expect(steps.every((s) => s.gate?.kind === 'unit.active')).toBe(true);
    expect(steps[3]!.gate!.params.health).toEqual({ port: 8181, path: '/api/v1/public/system/health' });
    expect(steps[2]!.gate!.params.health).toEqual({ port: 8222, path: '/healthz' });
    expect(result.warnings.some((w) => w.includes('one host only'))).toBe(true);
  });

  it('uses sudo -n for a user that is not root', () => {
    const c = cluster([{ name: 'db', roles: ['redis'], user: 'ops' }], ['voms']);
    const step = planSteps(planRestart({ cluster: c, facts: live(c), policy: policy() }).plan!)[0]!.step;
    expect(step.action.params.argv).toEqual(['sudo', '-n', '--', 'systemctl', 'restart', 'redis']);
    expect(step.description).toContain('sudo -n -- systemctl restart redis');
  });
});

describe('planRestart: Rocket.Chat behind HAProxy', () => {
  it('drains each node before its restart, gates it, then readies it (the ready restores the drain)', () => {
    const c = rcCluster(4);
    const result = planRestart({ cluster: c, facts: rcLive(c, { rc1: 'UP', rc2: 'UP', rc3: 'UP', rc4: 'UP' }), policy: policy({ roles: ['rocketchat'] }) });
    expect(ids(result.plan)).toEqual(['rc1:drain', 'rc1:restart', 'rc1:ready', 'rc2:drain', 'rc2:restart', 'rc2:ready', 'rc3:drain', 'rc3:restart', 'rc3:ready', 'rc4:drain', 'rc4:restart', 'rc4:ready']);
    const [drain, restart, ready] = planSteps(result.plan!).map((p) => p.step);
    expect(drain!.action).toMatchObject({ kind: 'haproxy.setState', params: { state: 'drain', targets: [{ host: 'haproxy', backend: 'rocketchat_back', server: 'rc1' }] } });
    expect(drain!.guard).toMatchObject({ kind: 'haproxy.state', params: { status: 'DRAIN' } });
    expect(drain!.undo).toMatchObject({ kind: 'haproxy.setState', params: { state: 'ready' } });
    expect(restart!.action.params.argv).toEqual(['sudo', '-n', '--', 'systemctl', 'restart', 'rocketchat']);
    expect(restart!.gate).toMatchObject({ kind: 'rocketchat.ready', params: { host: 'rc1', port: 3000, previousInstanceIds: ['old-rc1'] } });
    expect(restart!.serving).toBe('3 of 4 Rocket.Chat nodes serving during this step');
    expect(ready!.restores).toEqual(['rc1:drain']);
    expect(ready!.gate).toMatchObject({ kind: 'haproxy.state', params: { status: 'UP' } });
  });

  it('takes at most maxUnavailable nodes at once, and never all', () => {
    const c = rcCluster(4);
    const facts = rcLive(c, { rc1: 'UP', rc2: 'UP', rc3: 'UP', rc4: 'UP' });
    const two = planRestart({ cluster: c, facts, policy: policy({ roles: ['rocketchat'], maxUnavailable: 2 }) }).plan!;
    expect(two.batches.map((b) => [b.id, b.steps.map((s) => s.id), b.maxParallel])).toEqual([
      ['rocketchat-1-drain', ['rc1:drain', 'rc2:drain'], 2],
      ['rocketchat-1-restart', ['rc1:restart', 'rc2:restart'], 2],
      ['rocketchat-1-ready', ['rc1:ready', 'rc2:ready'], 2],
      ['rocketchat-2-drain', ['rc3:drain', 'rc4:drain'], 2],
      ['rocketchat-2-restart', ['rc3:restart', 'rc4:restart'], 2],
      ['rocketchat-2-ready', ['rc3:ready', 'rc4:ready'], 2],
    ]);
    const all = planRestart({ cluster: c, facts, policy: policy({ roles: ['rocketchat'], maxUnavailable: 10 }) });
    expect(Math.max(...all.plan!.batches.map((b) => b.steps.length))).toBe(3);
    expect(all.warnings.some((w) => w.includes('At most 3'))).toBe(true);
  });

  it('refuses when a backend has fewer than 2 servers UP before draining one', () => {
    const c = rcCluster(2);
    const result = planRestart({ cluster: c, facts: rcLive(c, { rc1: 'UP', rc2: 'DOWN' }), policy: policy({ roles: ['rocketchat'] }) });
    expect(result.refusals.join('\n')).toMatch(/backend rocketchat_back on haproxy has 1 server\(s\) UP/);
  });

  it('refuses when HAProxy state could not be read', () => {
    const c = rcCluster(3);
    const result = planRestart({ cluster: c, facts: live(c), policy: policy({ roles: ['rocketchat'] }) });
    expect(result.refusals.join('\n')).toContain("HAProxy's state on haproxy could not be read");
  });
});

describe('planRestart: WuKongIM (Raft)', () => {
  const wk = (labels: Record<string, Record<string, string>> = {}) =>
    cluster(['1001', '1002', '1003'].map((id) => ({ name: `wk-${id}`, roles: ['wukongim'], labels: labels[id] ?? {} })), ['wukongim']);
  const view = (offline: number[] = []) => [1001, 1002, 1003].map((id) => ({ id, online: !offline.includes(id), leader: id === 1002 }));

  it('starts the seed node 1001 first, whatever the order asked, then one member at a time', () => {
    const c = wk();
    const facts = live(c, { wukongim: Object.fromEntries(c.hosts.map((h) => [h.name, { view: view() }])) });
    const result = planRestart({ cluster: c, facts, policy: policy({ order: ['wk-1003', 'wk-1002', 'wk-1001'], maxUnavailable: 3 }) });
    expect(result.refusals).toEqual([]);
    expect(result.plan!.batches.map((b) => [b.id, b.steps.map((s) => s.id), b.maxParallel])).toEqual([
      ['wukongim-seed', ['wk-1001:restart'], undefined],
      ['wukongim', ['wk-1003:restart', 'wk-1002:restart'], undefined],
    ]);
    const gate = result.plan!.batches[0]!.steps[0]!.gate!;
    expect(gate).toMatchObject({ kind: 'wukongim.ready', params: { members: [1001, 1002, 1003], port: 5001 } });
  });

  it('takes the seed from the label wukongim.seed', () => {
    const c = wk({ '1001': { 'wukongim.seed': '1002' }, '1002': {}, '1003': {} });
    const result = planRestart({ cluster: c, facts: live(c), policy: policy() });
    expect(ids(result.plan)[0]).toBe('wk-1002:restart');
  });

  it('refuses while a member is already down (3 members tolerate 1)', () => {
    const c = wk();
    const facts = live(c, { wukongim: Object.fromEntries(c.hosts.map((h) => [h.name, { view: view([1003]) }])) });
    const result = planRestart({ cluster: c, facts, policy: policy() });
    expect(result.refusals.join('\n')).toMatch(/3 members tolerate 1 down at once and 1 is down already/);
  });

  it('restarts a split cluster when the member the others see down is the seed, restarted first', () => {
    const c = wk();
    const views: Record<string, { view: ReturnType<typeof view> }> = {
      'wk-1001': { view: [{ id: 1001, online: true, leader: true }] },
      'wk-1002': { view: view([1001]) },
      'wk-1003': { view: view([1001]) },
    };
    const result = planRestart({ cluster: c, facts: live(c, { wukongim: views }), policy: policy() });
    expect(result.refusals).toEqual([]);
    expect(ids(result.plan)).toEqual(['wk-1001:restart', 'wk-1002:restart', 'wk-1003:restart']);
  });

  it('refuses when an unreachable host is in scope', () => {
    const c = wk();
    const facts = live(c);
    facts.hosts['wk-1002'] = { reachable: false, services: {} };
    const result = planRestart({ cluster: c, facts, policy: policy({ nodes: ['wk-1002'] }) });
    expect(result.refusals).toContain('wk-1002 is in scope but cannot be reached over SSH right now.');
  });
});

describe('planRestart: VerneMQ bridge', () => {
  it('turns the bridge off, restarts, joins the first running node, and enables and starts the bridge in the plugins stage', () => {
    const c = cluster(
      [1, 2, 3].map((i) => ({ name: `vernemq-${i}`, roles: ['vernemq'], labels: { 'vernemq.nodename': `VerneMQ@vernemq-${i}` } })),
      ['vernemq'],
    );
    const facts = live(c, {
      vernemq: {
        'vernemq-1': { joined: true, bridgeEnabled: false },
        'vernemq-2': { joined: true, bridgeEnabled: false },
        'vernemq-3': { joined: false, bridgeEnabled: true },
      },
    });
    const result = planRestart({ cluster: c, facts, policy: policy({ nodes: ['vernemq-3'] }) });
    expect(result.refusals).toEqual([]);
    expect(result.plan!.batches.map((b) => [b.id, b.steps.map((s) => s.id)])).toEqual([
      ['vernemq', ['vernemq-3:bridge-off', 'vernemq-3:restart', 'vernemq-3:join']],
      ['plugins', ['vernemq-3:bridge-enable', 'vernemq-3:bridge-start', 'vernemq-3:bridge-config-on']],
    ]);
    const steps = planSteps(result.plan!).map((p) => p.step);
    expect(steps[2]!.action.params.argv).toEqual(['sudo', '-n', '--', 'vmq-admin', 'cluster', 'join', 'discovery-node=VerneMQ@vernemq-1']);
    expect(steps[2]!.gate).toMatchObject({ kind: 'vernemq.joined', params: { node: 'VerneMQ@vernemq-3', peer: 'VerneMQ@vernemq-1' } });
    expect(steps[3]!.action.params.argv).toEqual(['sudo', '-n', '--', 'vmq-admin', 'plugin', 'enable', '--name=vmq_bridge']);
    expect(steps[4]!.action.params.argv).toEqual(['sudo', '-n', '--', 'vmq-admin', 'bridge', 'start']);
    expect(steps[5]!.restores).toEqual(['vernemq-3:bridge-off']);
    expect(steps[0]!.undo?.params.argv).toContain('on');
  });
});
