import type { RestartPolicy } from '../contract/restart';
import type { Cluster, Host, Role, ServiceRun } from '../inventory/schema';
import type { Batch, Gate, Plan, Step, StepAction } from '../ops/plan';
import { labelOf, portOf } from '../stacks/profiles/common';
import { PRESENCE_DEFAULT_PORT } from '../stacks/profiles/presence';
import { ROCKETCHAT_DEFAULT_PORT } from '../stacks/profiles/rocketchat';
import { dockerRun, serviceRunOf, systemdRun } from '../stacks/profiles/service';
import { NATS_DEFAULT_MONITOR_PORT, VOMS_DEFAULT_PORT, VOMS_HEALTH_PATH } from '../stacks/profiles/voms';
import { WUKONGIM_DEFAULT_API_PORT } from '../stacks/profiles/wukongim';
import { asRoot, inServiceArgv, restartArgv, vmqBridgeConfigArgv, VMQ_BRIDGE_ENABLED_SCRIPT } from './commands';
import type {
  CommandOkParams,
  HaproxySetStateParams,
  HaproxyStateParams,
  HaproxyTarget,
  RocketchatReadyParams,
  SshExecParams,
  UnitActiveParams,
  VernemqJoinedParams,
  WukongimReadyParams,
} from './kinds';
import { rocketchatInstanceNames, wukongNodeIdOf, type LiveState } from './live-state';

/**
 * The staged-restart planner (FIELD-NOTES §5): pure, from the inventory, the live state and the
 * admin's policy to a plan the operation engine runs. Order: data stores, load balancers, app
 * nodes (Rocket.Chat drained in HAProxy first, WuKongIM seed first and within quorum, VerneMQ
 * without its bridge until joined, VOMS server then workers), the VOMS front (Caddy), plugins
 * (VerneMQ bridge), side services (presence). See electron/core/restart/README-restart.md.
 */

export interface PlanRestartInput {
  cluster: Cluster;
  facts: LiveState;
  policy: RestartPolicy;
}

export interface PlanRestartOutput {
  /** Absent when nothing in scope can be restarted. */
  plan?: Plan;
  refusals: string[];
  warnings: string[];
}

/** Gate polling: quick at first (a node that is back is seen at once), then every few seconds. */
const GATE_INTERVAL_MS = 500;
const GATE_BACKOFF = { factor: 1.5, maxIntervalMs: 3_000 };

interface SimpleService {
  role: Role;
  service: string;
  fallback: ServiceRun;
  title: string;
  health?: (host: Host) => { port: number; path: string } | undefined;
}

const dataStores: SimpleService[] = [
  { role: 'mongodb', service: 'mongodb', fallback: systemdRun('mongodb', 'mongod'), title: 'MongoDB' },
  { role: 'postgresql', service: 'postgresql', fallback: systemdRun('postgresql', 'postgresql'), title: 'PostgreSQL' },
  { role: 'redis', service: 'redis', fallback: systemdRun('redis', 'redis'), title: 'Redis' },
  {
    role: 'nats',
    service: 'nats',
    fallback: systemdRun('nats', 'nats'),
    title: 'NATS',
    health: (host) => withPort(portOf(host, 'nats.monitorPort', NATS_DEFAULT_MONITOR_PORT), '/healthz'),
  },
];
const loadBalancers: SimpleService[] = [{ role: 'haproxy', service: 'haproxy', fallback: systemdRun('haproxy', 'haproxy'), title: 'HAProxy' }];
const vomsApps: SimpleService[] = [
  {
    role: 'voms',
    service: 'voms-server',
    fallback: systemdRun('voms-server', 'voms-server'),
    title: 'the VOMS server',
    health: (host) => withPort(portOf(host, 'voms.port', VOMS_DEFAULT_PORT), VOMS_HEALTH_PATH),
  },
  { role: 'voms', service: 'voms-worker-consumer', fallback: systemdRun('voms-worker-consumer', 'voms-worker-consumer'), title: 'the VOMS consumer worker' },
  { role: 'voms', service: 'voms-worker-scheduler', fallback: systemdRun('voms-worker-scheduler', 'voms-worker-scheduler'), title: 'the VOMS scheduler worker' },
];
const vomsFront: SimpleService[] = [{ role: 'caddy', service: 'caddy', fallback: systemdRun('caddy', 'caddy'), title: 'Caddy' }];
const sideServices: SimpleService[] = [
  {
    role: 'presence',
    service: 'presence',
    fallback: dockerRun('presence', 'presence'),
    title: 'the presence service',
    health: (host) => withPort(portOf(host, 'presence.port', PRESENCE_DEFAULT_PORT), '/health'),
  },
];

/** The roles a staged restart acts on. */
export const RESTART_ROLES: readonly Role[] = ['mongodb', 'postgresql', 'redis', 'nats', 'haproxy', 'rocketchat', 'wukongim', 'vernemq', 'voms', 'caddy', 'presence'];

function withPort(port: number | undefined, path: string): { port: number; path: string } | undefined {
  return port === undefined ? undefined : { port, path };
}

const action = (kind: string, params: object): StepAction => ({ kind, params: { ...params } });

class Planner {
  readonly refusals: string[] = [];
  readonly warnings: string[] = [];
  private readonly batches: Batch[] = [];
  private readonly plugins: Step[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly facts: LiveState,
    private readonly policy: RestartPolicy,
  ) {}

  build(): PlanRestartOutput {
    this.checkScope();
    this.simpleStage('datastores', 'Data stores', dataStores);
    this.simpleStage('load-balancers', 'Load balancers', loadBalancers);
    this.rocketchat();
    this.wukongim();
    this.vernemq();
    this.simpleStage('voms', 'VOMS server and workers', vomsApps);
    this.simpleStage('voms-front', 'VOMS front (Caddy)', vomsFront);
    if (this.plugins.length > 0) this.batches.push({ id: 'plugins', title: 'Plugins (VerneMQ bridge)', steps: this.plugins });
    this.simpleStage('side-services', 'Side services', sideServices);
    const result: PlanRestartOutput = { refusals: this.refusals, warnings: this.warnings };
    if (this.batches.length === 0) {
      this.refusals.push('Nothing to restart: no host in the chosen roles and nodes runs a service a staged restart handles.');
      return result;
    }
    const stepCount = this.batches.reduce((sum, batch) => sum + batch.steps.length, 0);
    result.plan = {
      kind: 'restart',
      cluster: this.cluster.name,
      title: `Staged restart of ${this.cluster.name} (${stepCount} steps)`,
      batches: this.batches,
      details: { environment: this.cluster.environment, maxUnavailable: this.policy.maxUnavailable, scope: this.scopeText() },
    };
    return result;
  }

  // ---------------------------------------------------------------- scope

  private scopeText(): string {
    const roles = this.policy.roles?.join(', ') ?? 'all roles';
    const nodes = this.policy.nodes?.join(', ') ?? 'all nodes';
    return `${roles}; ${nodes}`;
  }

  private inScope(host: Host, role: Role): boolean {
    if (!host.roles.includes(role)) return false;
    if (this.policy.roles !== undefined && !this.policy.roles.includes(role)) return false;
    return this.policy.nodes === undefined || this.policy.nodes.includes(host.name);
  }

  /** Hosts of a role in scope, in the admin's order first, then inventory order. */
  private scoped(role: Role): Host[] {
    const hosts = this.cluster.hosts.filter((host) => this.inScope(host, role));
    const order = this.policy.order ?? [];
    const rank = (host: Host) => (order.includes(host.name) ? order.indexOf(host.name) : order.length);
    return hosts.map((host, index) => ({ host, index })).sort((a, b) => rank(a.host) - rank(b.host) || a.index - b.index).map((entry) => entry.host);
  }

  private checkScope(): void {
    const known = new Set(this.cluster.hosts.map((host) => host.name));
    for (const name of [...(this.policy.nodes ?? []), ...(this.policy.order ?? [])]) {
      if (!known.has(name)) this.refusals.push(`There is no host "${name}" in cluster ${this.cluster.name}.`);
    }
    for (const role of this.policy.roles ?? []) {
      if (!(RESTART_ROLES as readonly string[]).includes(role)) this.warnings.push(`Role "${role}" has nothing a staged restart handles; it is ignored.`);
    }
    const unreachable = this.cluster.hosts.filter((host) => RESTART_ROLES.some((role) => this.inScope(host, role)) && !this.reachable(host));
    for (const host of unreachable) this.refusals.push(`${host.name} is in scope but cannot be reached over SSH right now.`);
  }

  private reachable(host: Host): boolean {
    return this.facts.hosts[host.name]?.reachable === true;
  }

  private marker(host: Host, service: string): string | undefined {
    return this.facts.hosts[host.name]?.services[service]?.marker;
  }

  private running(host: Host, service: string): boolean | undefined {
    return this.facts.hosts[host.name]?.services[service]?.running;
  }

  private gate(kind: string, params: object): Gate {
    return { kind, params: { ...params }, timeoutMs: this.policy.gateTimeoutSeconds * 1000, intervalMs: GATE_INTERVAL_MS, backoff: GATE_BACKOFF };
  }

  private restartStep(host: Host, service: string, run: ServiceRun, title: string, id = `${host.name}:${service}:restart`): Omit<Step, 'gate' | 'serving'> | undefined {
    const argv = restartArgv(host, run);
    if (argv === undefined) {
      this.warnings.push(`${title} on ${host.name} runs through a wrapper without a unit: it cannot be restarted from here and is left out.`);
      return undefined;
    }
    return {
      id,
      host: host.name,
      title: `Restart ${title} on ${host.name}`,
      description: `Runs \`${argv.join(' ')}\` on ${host.name}: ${title} stops and starts again.`,
      action: action('ssh.exec', { host: host.name, argv } satisfies SshExecParams),
      idempotent: true,
    };
  }

  private unitGate(host: Host, service: string, run: ServiceRun, health?: { port: number; path: string }): Gate {
    const marker = this.marker(host, service);
    const params: UnitActiveParams = { host: host.name, run, ...(marker === undefined ? {} : { notMarker: marker }), ...(health === undefined ? {} : { health }) };
    return this.gate('unit.active', params);
  }

  // ---------------------------------------------------------------- plain services

  private simpleStage(id: string, title: string, services: readonly SimpleService[]): void {
    const steps: Step[] = [];
    for (const spec of services) {
      const hosts = this.scoped(spec.role);
      const all = this.cluster.hosts.filter((host) => host.roles.includes(spec.role));
      if (hosts.length > 0 && all.length === 1 && (spec.role === 'mongodb' || spec.role === 'haproxy' || spec.role === 'voms')) {
        this.warnings.push(`${spec.title} runs on one host only (${all[0]!.name}): what depends on it is interrupted while it restarts.`);
      }
      for (const host of hosts) {
        const run = serviceRunOf(host, spec.service, spec.fallback);
        const base = this.restartStep(host, spec.service, run, spec.title);
        if (base === undefined) continue;
        const health = spec.health?.(host);
        const gateText = `is active again${health === undefined ? '' : ` and ${health.path} on port ${health.port} answers`}`;
        steps.push({
          ...base,
          description: `${base.description} The next step waits until it ${gateText}.`,
          gate: this.unitGate(host, spec.service, run, health),
          expectedMs: 30_000,
          serving: `${all.length - 1} of ${all.length} ${spec.title} hosts serving during this step`,
        });
      }
    }
    if (steps.length > 0) this.batches.push({ id, title, steps });
  }

  // ---------------------------------------------------------------- Rocket.Chat

  private rocketchat(): void {
    const nodes = this.scoped('rocketchat');
    if (nodes.length === 0) return;
    const all = this.cluster.hosts.filter((host) => host.roles.includes('rocketchat'));
    const lbHosts = this.cluster.hosts.filter((host) => host.roles.includes('haproxy'));
    for (const lb of lbHosts) {
      if (!this.reachable(lb)) this.refusals.push(`HAProxy on ${lb.name} cannot be reached: Rocket.Chat nodes cannot be drained before they stop.`);
      else if (this.facts.haproxy[lb.name] === undefined) this.refusals.push(`HAProxy's state on ${lb.name} could not be read (show stat): Rocket.Chat nodes cannot be drained safely.`);
    }
    if (lbHosts.length === 0) this.warnings.push('The cluster has no HAProxy host: Rocket.Chat nodes are restarted without being drained first.');

    const targetsOf = (node: Host): HaproxyTarget[] =>
      lbHosts.flatMap((lb) => {
        const live = this.facts.haproxy[lb.name];
        return (live?.servers ?? [])
          .filter((server) => server.host === node.name)
          .map((server) => ({ host: lb.name, socket: live!.socket, backend: server.backend, server: server.server }));
      });
    // Serving nodes: UP in every load balancer that knows them, or running when there is none.
    let up = all.filter((node) => (lbHosts.length === 0 ? this.running(node, 'rocketchat') !== false : targetsOf(node).length > 0 && targetsOf(node).every((t) => this.statusOf(t) === 'UP'))).length;
    for (const lb of lbHosts) {
      for (const [backend, servers] of this.backends(lb.name)) {
        if (!nodes.some((node) => targetsOf(node).some((t) => t.host === lb.name && t.backend === backend))) continue;
        const upCount = servers.filter((server) => server.status === 'UP').length;
        if (upCount < 2) this.refusals.push(`HAProxy backend ${backend} on ${lb.name} has ${upCount} server(s) UP: draining one would leave ${upCount === 0 ? 'none' : 'none serving'}.`);
        up = Math.min(up, upCount);
      }
    }
    for (const node of nodes) {
      if (lbHosts.length > 0 && targetsOf(node).length === 0) this.warnings.push(`${node.name} is not a server in any HAProxy backend: it is restarted without a drain.`);
    }
    const wave = Math.max(1, Math.min(this.policy.maxUnavailable, all.length - 1, up - 1));
    if (all.length === 1) this.warnings.push(`Rocket.Chat runs on one node only (${all[0]!.name}): users are cut off while it restarts.`);
    if (this.policy.maxUnavailable > wave && all.length > 1) this.warnings.push(`At most ${wave} Rocket.Chat node(s) restart at once (${up} serving now; never all).`);
    const sudo = Object.fromEntries(lbHosts.map((lb) => [lb.name, lb.user !== 'root']));

    for (let start = 0, round = 1; start < nodes.length; start += wave, round += 1) {
      const group = nodes.slice(start, start + wave);
      const serving = `${Math.max(0, up - group.length)} of ${all.length} Rocket.Chat nodes serving during this step`;
      const drains: Step[] = [];
      const restarts: Step[] = [];
      const readies: Step[] = [];
      for (const node of group) {
        const run = serviceRunOf(node, 'rocketchat', systemdRun('rocketchat', 'rocketchat'));
        const base = this.restartStep(node, 'rocketchat', run, 'Rocket.Chat', `${node.name}:restart`);
        if (base === undefined) continue;
        const targets = targetsOf(node);
        const where = targets.map((t) => `${t.backend}/${t.server} on ${t.host}`).join(', ');
        const drainId = `${node.name}:drain`;
        if (targets.length > 0) {
          drains.push({
            id: drainId,
            host: node.name,
            title: `Drain ${node.name} in HAProxy`,
            description: `Sends \`set server BACKEND/SERVER state drain\` to the HAProxy admin socket for ${where}: HAProxy stops sending new sessions to ${node.name}; sessions in progress finish.`,
            action: action('haproxy.setState', { targets, state: 'drain', sudo } satisfies HaproxySetStateParams),
            guard: action('haproxy.state', { targets, status: 'DRAIN', sudo } satisfies HaproxyStateParams),
            undo: action('haproxy.setState', { targets, state: 'ready', sudo } satisfies HaproxySetStateParams),
            undoTitle: `Set ${node.name} ready in HAProxy`,
            expectedMs: 1_000,
            serving,
          });
        }
        const port = portOf(node, 'rocketchat.port', ROCKETCHAT_DEFAULT_PORT) ?? ROCKETCHAT_DEFAULT_PORT;
        const ready: RocketchatReadyParams = {
          host: node.name,
          port,
          run,
          instanceNames: rocketchatInstanceNames(node),
          previousInstanceIds: this.facts.rocketchatInstances?.[node.name] ?? [],
        };
        if (this.facts.rocketchatInstances === undefined) {
          this.warnings.push(`MongoDB was not read: the gate of ${node.name} cannot tell a new registration in instances from an old one.`);
        }
        restarts.push({
          ...base,
          description: `${base.description} The next step waits until it answers /api/info on port ${port}, registers again in MongoDB's instances and its log since the start does not say read-only.`,
          gate: this.gate('rocketchat.ready', ready),
          expectedMs: 90_000,
          serving,
        });
        if (targets.length > 0) {
          readies.push({
            id: `${node.name}:ready`,
            host: node.name,
            title: `Set ${node.name} ready in HAProxy`,
            description: `Sends \`set server BACKEND/SERVER state ready\` for ${where}: HAProxy sends sessions to ${node.name} again once its health check passes; the step waits until it shows UP.`,
            action: action('haproxy.setState', { targets, state: 'ready', sudo } satisfies HaproxySetStateParams),
            gate: this.gate('haproxy.state', { targets, status: 'UP', sudo } satisfies HaproxyStateParams),
            restores: [drainId],
            idempotent: true,
            expectedMs: 5_000,
            serving: `${Math.max(0, up - group.length)} of ${all.length} Rocket.Chat nodes serving until ${node.name} is UP again`,
          });
        }
      }
      const parallel = group.length > 1 ? { maxParallel: group.length } : {};
      if (drains.length > 0) this.batches.push({ id: `rocketchat-${round}-drain`, title: `Rocket.Chat round ${round}: drain ${group.map((n) => n.name).join(', ')}`, steps: drains, ...parallel });
      if (restarts.length > 0) this.batches.push({ id: `rocketchat-${round}-restart`, title: `Rocket.Chat round ${round}: restart`, steps: restarts, ...parallel });
      if (readies.length > 0) this.batches.push({ id: `rocketchat-${round}-ready`, title: `Rocket.Chat round ${round}: back into HAProxy`, steps: readies, ...parallel });
    }
  }

  private statusOf(target: HaproxyTarget): string | undefined {
    return this.facts.haproxy[target.host]?.servers.find((s) => s.backend === target.backend && s.server === target.server)?.status;
  }

  private backends(lb: string): Map<string, { status?: string }[]> {
    const backends = new Map<string, { status?: string }[]>();
    for (const server of this.facts.haproxy[lb]?.servers ?? []) backends.set(server.backend, [...(backends.get(server.backend) ?? []), server]);
    return backends;
  }

  // ---------------------------------------------------------------- WuKongIM (Raft)

  private wukongim(): void {
    const nodes = this.scoped('wukongim');
    if (nodes.length === 0) return;
    const all = this.cluster.hosts.filter((host) => host.roles.includes('wukongim'));
    const n = all.length;
    const idOf = (host: Host) => this.facts.wukongim[host.name]?.nodeId ?? wukongNodeIdOf(host);
    const offline = new Set<number>();
    for (const host of all) for (const member of this.facts.wukongim[host.name]?.view ?? []) if (!member.online) offline.add(member.id);
    const downHosts = all.filter((host) => !this.reachable(host) || this.running(host, 'wukongim') === false || (idOf(host) !== undefined && offline.has(idOf(host)!)));
    const down = downHosts.length;
    const tolerated = Math.floor((n - 1) / 2);
    const parallel = Math.max(1, Math.min(this.policy.maxUnavailable, tolerated));
    const seed = this.seedOf(all, idOf);
    const ordered = seed !== undefined && nodes.includes(seed) ? [seed, ...nodes.filter((host) => host !== seed)] : nodes;
    if (n === 1) {
      this.warnings.push(`WuKongIM runs as a single node (${all[0]!.name}): it serves nobody while it restarts.`);
    } else {
      // Walk the batches as they will run: members down now stay down until their own restart
      // brings them back (each gate waits for it), so restarting the member the others see as
      // down (a split: 1001 first) costs the quorum nothing, while restarting another does.
      const stillDown = new Set(downHosts.map((host) => host.name));
      const batches = seed !== undefined && ordered[0] === seed ? [[seed], ...chunk(ordered.slice(1), parallel)] : chunk(ordered, parallel);
      for (const batch of batches) {
        const during = new Set([...stillDown, ...batch.map((host) => host.name)]);
        if (during.size > tolerated) {
          this.refusals.push(
            `WuKongIM: ${n} members tolerate ${tolerated} down at once and ${down} ${down === 1 ? 'is' : 'are'} down already: restarting ${batch.map((host) => host.name).join(', ')} would leave ${n - during.size} of ${n} up and lose the Raft quorum. Bring the missing member(s) back first.`,
          );
          break;
        }
        for (const host of batch) stillDown.delete(host.name);
      }
    }
    const members = all.map(idOf).filter((id): id is number => id !== undefined);
    if (members.length < n) this.warnings.push('Some WuKongIM node ids are unknown (label wukongim.nodeId): the gate checks membership by count only for them.');
    const quorum = Math.floor(n / 2) + 1;
    // Each gate waits for the members restarted so far plus those every node saw online before: in a
    // split cluster the members not yet restarted cannot be expected to be back in it (FIELD-NOTES §2).
    const views = all.flatMap((host) => this.facts.wukongim[host.name]?.view ?? []).length === 0 ? [] : all.map((host) => this.facts.wukongim[host.name]?.view ?? []);
    const healthy = members.filter((id) => views.length > 0 && views.every((view) => view.some((member) => member.id === id && member.online)));
    const restartedSoFar: number[] = [];
    const steps = ordered.flatMap((host): Step[] => {
      const run = serviceRunOf(host, 'wukongim', systemdRun('wukongim', 'wukongim'));
      const base = this.restartStep(host, 'wukongim', run, `WuKongIM node ${idOf(host) ?? host.name}`, `${host.name}:restart`);
      if (base === undefined) return [];
      const marker = this.marker(host, 'wukongim');
      const port = portOf(host, 'wukongim.apiPort', WUKONGIM_DEFAULT_API_PORT) ?? WUKONGIM_DEFAULT_API_PORT;
      const id = idOf(host);
      if (id !== undefined) restartedSoFar.push(id);
      const expected = members.filter((member) => restartedSoFar.includes(member) || healthy.includes(member) || !ordered.some((h) => idOf(h) === member));
      const params: WukongimReadyParams = { host: host.name, port, run, members: expected, ...(marker === undefined ? {} : { notMarker: marker }) };
      return [
        {
          ...base,
          description: `${base.description}${host === seed ? ' It is the seed node, so it goes first.' : ''} The next node waits until this one logs "Server is ready" and /cluster/nodes on it lists the members restarted so far (and those that were healthy) online with one leader.`,
          gate: this.gate('wukongim.ready', params),
          expectedMs: 60_000,
          serving: `${Math.max(0, n - down - 1)} of ${n} WuKongIM members up during this step (quorum needs ${quorum})`,
        },
      ];
    });
    const [first, ...rest] = steps;
    if (first === undefined) return;
    if (seed !== undefined && first.host === seed.name) {
      this.batches.push({ id: 'wukongim-seed', title: `WuKongIM seed node ${idOf(seed) ?? seed.name}`, steps: [first] });
      if (rest.length > 0) this.batches.push({ id: 'wukongim', title: 'WuKongIM members, one after another', steps: rest, ...(parallel > 1 ? { maxParallel: parallel } : {}) });
    } else {
      this.batches.push({ id: 'wukongim', title: 'WuKongIM members, one after another', steps, ...(parallel > 1 ? { maxParallel: parallel } : {}) });
    }
  }

  /** Label `wukongim.seed` (on the seed host as true/yes/1, or any host naming the seed's id or host), else node 1001, else the lowest id. */
  private seedOf(all: Host[], idOf: (host: Host) => number | undefined): Host | undefined {
    for (const host of all) {
      const label = labelOf(host, 'wukongim.seed')?.trim().toLowerCase();
      if (label === undefined) continue;
      if (['true', 'yes', 'seed'].includes(label)) return host;
      const named = all.find((candidate) => candidate.name.toLowerCase() === label || String(idOf(candidate)) === label);
      if (named !== undefined) return named;
    }
    const withIds = all.filter((host) => idOf(host) !== undefined).sort((a, b) => idOf(a)! - idOf(b)!);
    return withIds.find((host) => idOf(host) === 1001) ?? withIds[0];
  }

  // ---------------------------------------------------------------- VerneMQ

  private vernemq(): void {
    const nodes = this.scoped('vernemq');
    if (nodes.length === 0) return;
    const all = this.cluster.hosts.filter((host) => host.roles.includes('vernemq'));
    const joined = all.filter((host) => this.facts.vernemq[host.name]?.joined === true);
    const steps: Step[] = [];
    for (const host of nodes) {
      const live = this.facts.vernemq[host.name];
      const run = serviceRunOf(host, 'vernemq', systemdRun('vernemq', 'vernemq'));
      const node = labelOf(host, 'vernemq.nodename') ?? live?.nodeName;
      const peerHost =
        joined.find((candidate) => candidate !== host) ?? all.find((candidate) => candidate !== host && this.running(candidate, 'vernemq') === true);
      const peer = peerHost === undefined ? undefined : (labelOf(peerHost, 'vernemq.nodename') ?? this.facts.vernemq[peerHost.name]?.nodeName);
      const bridge = live?.bridgeEnabled === true || labelOf(host, 'vernemq.bridge') === 'on';
      const base = this.restartStep(host, 'vernemq', run, 'VerneMQ', `${host.name}:restart`);
      if (base === undefined) continue;
      if (all.length > 1 && (node === undefined || peer === undefined)) {
        this.refusals.push(
          node === undefined
            ? `VerneMQ on ${host.name}: its node name is unknown (set the label vernemq.nodename), so its join cannot be checked.`
            : `VerneMQ on ${host.name}: no other running node to join after its restart.`,
        );
        continue;
      }
      const vmqAdmin = asRoot(host, inServiceArgv(run, ['vmq-admin']));
      const serving = `${Math.max(0, joined.length - (live?.joined ? 1 : 0))} of ${all.length} VerneMQ nodes in the cluster during this step`;
      const configPath = labelOf(host, 'vernemq.config') ?? (run.kind === 'systemd' ? '/etc/vernemq/vernemq.conf' : '/vernemq/etc/vernemq.conf');
      if (bridge) {
        const argv = vmqBridgeConfigArgv(host, run, configPath, 'off');
        steps.push({
          id: `${host.name}:bridge-off`,
          host: host.name,
          title: `Start ${host.name} without the bridge plugin`,
          description: `Sets plugins.vmq_bridge = off in ${configPath} on ${host.name} (\`${argv.join(' ')}\`), so the node boots empty and its join is not refused as non-empty (vernemq #2350). The bridge comes back once the node has joined.`,
          action: action('ssh.exec', { host: host.name, argv } satisfies SshExecParams),
          undo: action('ssh.exec', { host: host.name, argv: vmqBridgeConfigArgv(host, run, configPath, 'on') } satisfies SshExecParams),
          undoTitle: `Set plugins.vmq_bridge = on again on ${host.name}`,
          idempotent: true,
          expectedMs: 1_000,
          serving,
        });
      }
      const pingArgv = asRoot(host, inServiceArgv(run, ['vernemq', 'ping']));
      steps.push({
        ...base,
        description: `${base.description} The next step waits until \`vernemq ping\` answers.`,
        gate: this.gate('command.ok', { host: host.name, argv: pingArgv } satisfies CommandOkParams),
        expectedMs: 30_000,
        serving,
      });
      if (node !== undefined && peer !== undefined) {
        const joinedParams: VernemqJoinedParams = { host: host.name, vmqAdmin, node, peer };
        const argv = [...vmqAdmin, 'cluster', 'join', `discovery-node=${peer}`];
        steps.push({
          id: `${host.name}:join`,
          host: host.name,
          title: `Join ${node} to the cluster`,
          description: `Runs \`${argv.join(' ')}\` unless ${node} is already Running in the cluster; waits until \`vmq-admin cluster show\` lists ${node} and ${peer} Running.`,
          action: action('ssh.exec', { host: host.name, argv } satisfies SshExecParams),
          guard: action('vernemq.joined', joinedParams),
          gate: this.gate('vernemq.joined', joinedParams),
          idempotent: true,
          expectedMs: 10_000,
          serving,
        });
      }
      if (bridge) this.bridgeBack(host, run, vmqAdmin, configPath);
    }
    if (steps.length > 0) {
      const parallel = Math.max(1, Math.min(this.policy.maxUnavailable, all.length - 1));
      this.batches.push({ id: 'vernemq', title: 'VerneMQ nodes', steps, ...(parallel > 1 && !steps.some((s) => s.id.endsWith(':bridge-off')) ? { maxParallel: parallel } : {}) });
    }
  }

  /** After every node joined: enable the bridge, start it, and put the configuration back. */
  private bridgeBack(host: Host, run: ServiceRun, vmqAdmin: string[], configPath: string): void {
    const enable = [...vmqAdmin, 'plugin', 'enable', '--name=vmq_bridge'];
    const start = [...vmqAdmin, 'bridge', 'start'];
    const configOn = vmqBridgeConfigArgv(host, run, configPath, 'on');
    this.plugins.push(
      {
        id: `${host.name}:bridge-enable`,
        host: host.name,
        title: `Enable the bridge plugin on ${host.name}`,
        description: `Runs \`${enable.join(' ')}\` unless vmq_bridge is already enabled.`,
        action: action('ssh.exec', { host: host.name, argv: enable } satisfies SshExecParams),
        guard: action('command.ok', { host: host.name, argv: asRoot(host, inServiceArgv(run, ['sh', '-c', VMQ_BRIDGE_ENABLED_SCRIPT])) } satisfies CommandOkParams),
        expectedMs: 2_000,
      },
      {
        id: `${host.name}:bridge-start`,
        host: host.name,
        title: `Start the bridges on ${host.name}`,
        description: `Runs \`${start.join(' ')}\`: the node connects its bridges again.`,
        action: action('ssh.exec', { host: host.name, argv: start } satisfies SshExecParams),
        idempotent: true,
        expectedMs: 2_000,
      },
      {
        id: `${host.name}:bridge-config-on`,
        host: host.name,
        title: `Set plugins.vmq_bridge = on again on ${host.name}`,
        description: `Writes plugins.vmq_bridge = on back into ${configPath} (\`${configOn.join(' ')}\`), as it was before the restart.`,
        action: action('ssh.exec', { host: host.name, argv: configOn } satisfies SshExecParams),
        restores: [`${host.name}:bridge-off`],
        idempotent: true,
        expectedMs: 1_000,
      },
    );
  }
}

/** Builds the staged-restart plan, or says why it cannot run now. Pure. */
export function planRestart(input: PlanRestartInput): PlanRestartOutput {
  return new Planner(input.cluster, input.facts, input.policy).build();
}

/** Consecutive groups of at most `size`. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}
