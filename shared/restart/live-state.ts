import type { Host } from '../inventory/schema';
import { labelOf, reachedWithRole } from '../stacks/profiles/common';
import { mongoValueOf, valueOf, type ClusterSnapshot, type CommandProbe, type HostSnapshot } from '../stacks/profile';
import type { HaproxyBaseState } from '../stacks/parsers';
import { presenceProbes } from '../stacks/profiles/presence';
import { HAPROXY_DEFAULT_SOCKET, hostOfHaproxyServer, rocketchatMongoProbes, rocketchatProbes } from '../stacks/profiles/rocketchat';
import { judgeService, probedAtMs, type ServiceState } from '../stacks/profiles/service';
import { isVernemqNodeOf, vernemqProbes } from '../stacks/profiles/vernemq';
import { vomsProbes } from '../stacks/profiles/voms';
import { wukongimProbes } from '../stacks/profiles/wukongim';

/**
 * What the planner needs to know about a cluster right now, distilled from one inspection
 * round (`liveStateOf`). Plain data, so planner tests write it by hand.
 */

export interface ServiceLive {
  /** The service manager's view: running, or anything else (stopped, failed, starting…). */
  running: boolean;
  /** The main process (systemd) or the container's start time (docker): changes with every restart. */
  marker?: string;
}

export interface HostLive {
  reachable: boolean;
  /** By service name (`rocketchat`, `mongodb`, `voms-server`…). */
  services: Record<string, ServiceLive>;
}

export interface WukongLive {
  /** Each member's id as this host's node sees the cluster. */
  view?: { id: number; online: boolean; leader: boolean }[];
  /** This host's own node id, when known (label `wukongim.nodeId`, `/varz`, or the host name). */
  nodeId?: number;
}

export interface VernemqLive {
  nodeName?: string;
  /** Listed as Running in the cluster as the best-connected node sees it. */
  joined: boolean;
  /** `vmq_bridge` is among the enabled plugins. */
  bridgeEnabled: boolean;
}

export interface HaproxyServerLive {
  backend: string;
  server: string;
  /** The inventory host the server line stands for. */
  host?: string;
  status?: HaproxyBaseState;
}

export interface HaproxyLive {
  socket: string;
  servers: HaproxyServerLive[];
}

export interface LiveState {
  hosts: Record<string, HostLive>;
  wukongim: Record<string, WukongLive>;
  vernemq: Record<string, VernemqLive>;
  /** Load balancer host -> its servers (absent when its `show stat` did not parse). */
  haproxy: Record<string, HaproxyLive>;
  /** Rocket.Chat instance ids registered for each app node (MongoDB `instances`); absent when MongoDB was not read. */
  rocketchatInstances?: Record<string, string[]>;
}

const serviceProbes: { name: string; probe: CommandProbe<ServiceState> }[] = [
  { name: 'rocketchat', probe: rocketchatProbes.service },
  { name: 'haproxy', probe: rocketchatProbes.haproxyService },
  { name: 'mongodb', probe: rocketchatProbes.mongodbService },
  { name: 'presence', probe: presenceProbes.service },
  { name: 'wukongim', probe: wukongimProbes.service },
  { name: 'vernemq', probe: vernemqProbes.service },
];

function servicesOf(host: HostSnapshot): Record<string, ServiceLive> {
  const services: Record<string, ServiceLive> = {};
  for (const { name, probe } of serviceProbes) {
    const state = valueOf(host, probe);
    if (state === undefined) continue;
    const running = judgeService(state, probedAtMs(host)).condition === 'running';
    const marker = state.manager === 'systemd' ? (state.unit.mainPid === undefined ? undefined : String(state.unit.mainPid)) : state.container.startedAt;
    services[name] = marker === undefined ? { running } : { running, marker };
  }
  for (const [name, unit] of Object.entries(valueOf(host, vomsProbes.units) ?? {})) {
    const running = judgeService({ manager: 'systemd', unit }, probedAtMs(host)).condition === 'running';
    services[name] = unit.mainPid === undefined ? { running } : { running, marker: String(unit.mainPid) };
  }
  return services;
}

/** A WuKongIM host's node id: label `wukongim.nodeId`, the `/varz` server id, or the number its name ends with. */
export function wukongNodeIdOf(host: Host, varzServerId?: string): number | undefined {
  for (const candidate of [labelOf(host, 'wukongim.nodeId'), varzServerId, /(\d+)$/.exec(host.name)?.[1]]) {
    if (candidate !== undefined && /^\d+$/.test(candidate.trim())) return Number(candidate.trim());
  }
  return undefined;
}

function vernemqOf(snapshot: ClusterSnapshot): Record<string, VernemqLive> {
  const hosts = reachedWithRole(snapshot, 'vernemq');
  const views = hosts.map((host) => valueOf(host, vernemqProbes.cluster)?.nodes ?? []).filter((view) => view.length > 0);
  const reference = [...views].sort((a, b) => b.filter((n) => n.running).length - a.filter((n) => n.running).length)[0] ?? [];
  const result: Record<string, VernemqLive> = {};
  for (const host of hosts) {
    const label = labelOf(host.host, 'vernemq.nodename');
    const nodeName = label ?? views.flat().find((node) => isVernemqNodeOf(host.host, node.node))?.node;
    const entry = nodeName === undefined ? undefined : reference.find((node) => node.node === nodeName);
    const plugins = valueOf(host, vernemqProbes.plugins)?.plugins ?? [];
    result[host.host.name] = {
      ...(nodeName === undefined ? {} : { nodeName }),
      joined: entry?.running === true && reference.filter((node) => node.running).length > 1,
      bridgeEnabled: plugins.some((plugin) => plugin.name === 'vmq_bridge'),
    };
  }
  return result;
}

function rocketchatInstancesOf(snapshot: ClusterSnapshot): Record<string, string[]> | undefined {
  const instances = mongoValueOf(snapshot, rocketchatMongoProbes.instances);
  if (instances === undefined) return undefined;
  const result: Record<string, string[]> = {};
  for (const host of snapshot.cluster.hosts.filter((h) => h.roles.includes('rocketchat'))) {
    const names = rocketchatInstanceNames(host);
    result[host.name] = instances.filter((instance) => instance.host !== undefined && names.includes(instance.host.toLowerCase())).map((instance) => instance.id);
  }
  return result;
}

/** The names a Rocket.Chat node registers under in `instances` (its INSTANCE_IP is usually its address). */
export function rocketchatInstanceNames(host: Host): string[] {
  return [host.address, host.name, labelOf(host, 'rocketchat.instanceHost')].filter((name): name is string => name !== undefined).map((name) => name.toLowerCase());
}

/** Distils an inspection round into what the restart planner decides on. */
export function liveStateOf(snapshot: ClusterSnapshot): LiveState {
  const live: LiveState = { hosts: {}, wukongim: {}, vernemq: vernemqOf(snapshot), haproxy: {} };
  for (const host of snapshot.hosts) {
    live.hosts[host.host.name] = { reachable: host.reach.ok, services: host.reach.ok ? servicesOf(host) : {} };
  }
  for (const host of reachedWithRole(snapshot, 'wukongim')) {
    const nodes = valueOf(host, wukongimProbes.nodes)?.nodes;
    const nodeId = wukongNodeIdOf(host.host, valueOf(host, wukongimProbes.varz)?.serverId);
    live.wukongim[host.host.name] = {
      ...(nodes === undefined ? {} : { view: nodes.map((node) => ({ id: node.id, online: node.online, leader: node.isLeader })) }),
      ...(nodeId === undefined ? {} : { nodeId }),
    };
  }
  for (const host of reachedWithRole(snapshot, 'haproxy')) {
    const rows = valueOf(host, rocketchatProbes.haproxyStat);
    if (rows === undefined) continue;
    live.haproxy[host.host.name] = {
      socket: labelOf(host.host, 'haproxy.socket') ?? HAPROXY_DEFAULT_SOCKET,
      servers: rows
        .filter((row) => row.kind === 'server')
        .map((row) => {
          const mapped = hostOfHaproxyServer(snapshot.cluster.hosts, row.server, row.columns.addr);
          return {
            backend: row.proxy,
            server: row.server,
            ...(mapped === undefined ? {} : { host: mapped }),
            ...(row.status.base === undefined ? {} : { status: row.status.base }),
          };
        }),
    };
  }
  const instances = rocketchatInstancesOf(snapshot);
  if (instances !== undefined) live.rocketchatInstances = instances;
  return live;
}
