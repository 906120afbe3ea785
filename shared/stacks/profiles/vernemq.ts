import type { Host, ServiceRun } from '../../inventory/schema';
import { raise, type Finding, type FindingRule } from '../findings';
import {
  detectProbeFailure,
  ok,
  parseVernemqHealth,
  parseVernemqPing,
  parseVmqClusterShow,
  parseVmqPluginShow,
  scanVernemqLog,
  unknown,
  type VmqClusterNode,
} from '../parsers';
import { rawOf, valueOf, type ClusterSnapshot, type CommandProbe, type HostSnapshot, type StackProfile } from '../profile';
import { evidence, labelOf, matchingLines, reachedWithRole, text } from './common';
import { configDriftFindings, configProbes } from './drift';
import { logTailProbe } from './logs';
import { httpProbe, inService, serviceDownFindings, serviceRunOf, serviceStateProbe, systemdRun } from './service';
import { imageTag, versionEvidence, versionParts, versionSkew, type NodeVersion } from './versions';

/**
 * VerneMQ (MQTT, Erlang; FIELD-NOTES §3), on hosts or Kubernetes. The control commands run where
 * VerneMQ runs: on the host, `docker exec` in its container, or through the service's wrapper
 * (`kubectl exec -n NS POD --`). Node names come from `vmq-admin cluster show`; a host is matched
 * to its node by the label `vernemq.nodename`, or by its address or name after the `@`.
 */

export const VERNEMQ_DEFAULT_HTTP_PORT = 8888;

const vernemqRun = () => systemdRun('vernemq', 'vernemq');
const service = { role: 'vernemq', name: 'vernemq', fallback: vernemqRun } as const;
const runOf = (host: Host) => serviceRunOf(host, 'vernemq', vernemqRun());

/** Where the package installs VerneMQ, or the docker image does. */
const rootOf = (host: Host, run: ServiceRun) => labelOf(host, 'vernemq.root') ?? (run.kind === 'systemd' ? '/usr/lib/vernemq' : '/vernemq');

/** `--format=json` first (every command takes it), the table when this vmq-admin does not know it. */
function vmqAdminShow(subject: 'cluster' | 'plugin'): string[] {
  return ['sh', '-c', `vmq-admin ${subject} show --format=json 2>/dev/null || vmq-admin ${subject} show`];
}

const config = configProbes({
  ...service,
  id: 'vernemq.config',
  pathOf: (host, run) => labelOf(host, 'vernemq.config') ?? (run.kind === 'systemd' ? '/etc/vernemq/vernemq.conf' : '/vernemq/etc/vernemq.conf'),
});

export const vernemqProbes = {
  service: serviceStateProbe({ ...service, id: 'vernemq.service' }),
  cluster: {
    id: 'vernemq.cluster',
    // vmq-admin and vernemq ping are RPCs to the Erlang node.
    mayHang: true,
    command: ({ host }) => (host.roles.includes('vernemq') ? inService(runOf(host), vmqAdminShow('cluster')) : undefined),
    parse: (output, exitCode) => parseVmqClusterShow(output, exitCode ?? undefined),
  } satisfies CommandProbe<{ nodes: VmqClusterNode[]; format: 'table' | 'json' }>,
  plugins: {
    id: 'vernemq.plugins',
    // vmq-admin and vernemq ping are RPCs to the Erlang node.
    mayHang: true,
    command: ({ host }) => (host.roles.includes('vernemq') ? inService(runOf(host), vmqAdminShow('plugin')) : undefined),
    parse: (output, exitCode) => parseVmqPluginShow(output, exitCode ?? undefined),
  } satisfies CommandProbe<{ plugins: { name: string; type: string; hooks: string[] }[] }>,
  ping: {
    id: 'vernemq.ping',
    // vmq-admin and vernemq ping are RPCs to the Erlang node.
    mayHang: true,
    command: ({ host }) => (host.roles.includes('vernemq') ? inService(runOf(host), ['vernemq', 'ping']) : undefined),
    parse: (output, exitCode) => parseVernemqPing(output, exitCode ?? undefined),
  } satisfies CommandProbe<{ responding: boolean; node?: string }>,
  /** `releases/start_erl.data` of the release: `ERTS_VSN REL_VSN`. */
  release: {
    id: 'vernemq.release',
    command: ({ host }) => {
      if (!host.roles.includes('vernemq')) return undefined;
      const run = runOf(host);
      return inService(run, ['cat', `${rootOf(host, run)}/releases/start_erl.data`]);
    },
    parse: (output, exitCode) => {
      const failure = detectProbeFailure(output, exitCode ?? undefined) ?? /^cat: .*$/m.exec(output)?.[0];
      if (failure !== undefined) return unknown(failure, output);
      const match = /^(\S+) (\d+\.\d+[\w.+-]*)\s*$/.exec(output.trim());
      return match === null ? unknown('not a start_erl.data line (ERTS_VSN REL_VSN)', output) : ok({ erts: match[1]!, version: match[2]! });
    },
  } satisfies CommandProbe<{ erts: string; version: string }>,
  health: httpProbe({ ...service, id: 'vernemq.health', portLabel: 'vernemq.httpPort', defaultPort: VERNEMQ_DEFAULT_HTTP_PORT, path: '/health', parse: parseVernemqHealth }),
  // Packages log to /var/log/vernemq/console.log; the docker image logs to its output.
  log: logTailProbe({
    ...service,
    id: 'vernemq.log',
    fileLabel: 'vernemq.logFile',
    defaultFile: (run) => (run.kind === 'systemd' ? '/var/log/vernemq/console.log' : undefined),
  }),
  configSum: config.checksum,
  config: config.content,
};

const joinAction = text(
  'Staged restart of that node with the bridge plugin off: start it without vmq_bridge, join (vmq-admin cluster join discovery-node=<a running node>), then vmq-admin plugin enable --name=vmq_bridge and vmq-admin bridge start. Setting vmq_swc.prevent_nonempty_join = off also lets it join but risks inconsistent data.',
  '以关闭 bridge 插件的方式分批重启该节点：先在不加载 vmq_bridge 的情况下启动并加入集群（vmq-admin cluster join discovery-node=<运行中的节点>），再执行 vmq-admin plugin enable --name=vmq_bridge 和 vmq-admin bridge start。设置 vmq_swc.prevent_nonempty_join = off 也能加入，但有数据不一致的风险。',
);

export const vernemqRules = {
  notInCluster: {
    id: 'vernemq.not-in-cluster',
    severity: 'P2',
    title: text('{{node}} is {{state}} in the VerneMQ cluster', '{{node}} 在 VerneMQ 集群中的状态：{{state}}'),
    why: text(
      'A node outside the cluster serves its own clients alone: their messages do not reach subscribers on the other nodes.',
      '不在集群中的节点独自服务其客户端：这些客户端的消息到不了其他节点上的订阅者。',
    ),
    action: joinAction,
    fix: 'staged-restart',
  },
  clusterSplit: {
    id: 'vernemq.cluster-split',
    severity: 'P1',
    title: text('{{count}} of {{total}} VerneMQ nodes are out of the cluster: {{nodes}}', '{{total}} 个 VerneMQ 节点中有 {{count}} 个不在集群中：{{nodes}}'),
    why: text('With half the nodes or more outside, most clients no longer reach each other\'s subscriptions.', '一半或以上节点不在集群中时，多数客户端之间的订阅消息无法互通。'),
    action: joinAction,
    fix: 'staged-restart',
  },
  nonEmptyJoin: {
    id: 'vernemq.non-empty-join',
    severity: 'P1',
    title: text('{{host}} was refused joining the cluster: node is non-empty', '{{host}} 加入集群被拒绝：节点非空（non_empty_node）'),
    why: text(
      'The bridge plugin enabled at boot gives the node subscriptions of its own, so the cluster refuses the join (vernemq #2350).',
      '启动时启用的 bridge 插件使节点带有自己的订阅，集群因此拒绝其加入（vernemq #2350）。',
    ),
    action: joinAction,
    fix: 'staged-restart',
  },
  bridgeBeforeJoin: {
    id: 'vernemq.bridge-before-join',
    severity: 'P2',
    title: text('The bridge plugin is enabled on {{host}}, which has not joined the cluster', '{{host}} 尚未加入集群，却已启用 bridge 插件'),
    why: text('With the bridge on, the node is non-empty and its join will be refused.', '启用 bridge 后节点为非空状态，加入集群会被拒绝。'),
    action: joinAction,
    fix: 'staged-restart',
  },
  healthDown: {
    id: 'vernemq.health-down',
    severity: 'P1',
    title: text('{{host}} reports DOWN: {{reasons}}', '{{host}} 健康检查为 DOWN：{{reasons}}'),
    why: text('Kubernetes and load balancers take a DOWN node out: its clients are disconnected.', 'Kubernetes 和负载均衡器会摘除 DOWN 状态的节点：其客户端会被断开。'),
    action: joinAction,
    fix: 'staged-restart',
  },
  notResponding: {
    id: 'vernemq.not-responding',
    severity: 'P1',
    title: text('VerneMQ on {{host}} does not answer pings', '{{host}} 上的 VerneMQ 不响应 ping'),
    why: text('The Erlang node is down or hung: its MQTT clients are disconnected.', 'Erlang 节点已停止或挂起：其 MQTT 客户端已断开。'),
    action: text('Read its log in the node view (console.log / crash.log), then restart it.', '在节点视图中查看日志（console.log / crash.log），然后重启它。'),
    fix: 'node-view',
  },
  versionSkew: {
    id: 'vernemq.version-skew',
    severity: 'P3',
    title: text('VerneMQ nodes run different versions: {{versions}}', 'VerneMQ 节点运行的版本不一致：{{versions}}'),
    why: text('Mixed versions should only last during a rolling upgrade.', '版本混用只应出现在滚动升级期间。'),
    action: text('Bring every node to the same version, one at a time.', '逐个节点升级到同一版本。'),
    fix: 'staged-restart',
  },
  unitDown: {
    id: 'vernemq.unit-down',
    severity: 'P1',
    title: text('VerneMQ on {{host}} is {{state}}', '{{host}} 上的 VerneMQ 状态：{{state}}'),
    why: text('Its MQTT clients are disconnected and reconnect to the remaining nodes, if they can.', '其 MQTT 客户端被断开，只能尝试重连到其余节点。'),
    action: text('Read the log in the node view for why it exits, fix it, then start it.', '在节点视图中查看日志找出退出原因，修复后再启动。'),
    fix: 'node-view',
  },
  configDrift: {
    id: 'vernemq.config-drift',
    severity: 'P3',
    title: text('{{file}} differs on {{hosts}}', '{{hosts}} 上的 {{file}} 与其他节点不同'),
    why: text('Nodes with different settings (plugins, listeners, limits) behave differently for the same client.', '配置不同（插件、监听器、限制）的节点会对同一客户端表现不同。'),
    action: text('Compare the diff and make the files the same (apart from nodename), then restart the changed nodes one at a time.', '对照差异使各节点配置一致（nodename 除外），然后逐个重启改动过的节点。'),
    fix: 'staged-restart',
  },
} satisfies Record<string, FindingRule>;

/** Whether a `cluster show` node name is this host (label `vernemq.nodename`, else the part after `@`). */
export function isVernemqNodeOf(host: Host, node: string): boolean {
  const label = labelOf(host, 'vernemq.nodename');
  if (label !== undefined) return node === label;
  const at = node.slice(node.indexOf('@') + 1);
  return at === host.address || at === host.name || at.split('.')[0] === host.name;
}

/** This host's node name: the label, the entry of a view that is this host, or the only entry of its own view. */
function nodeNameOf(host: HostSnapshot, views: readonly NodeViews[]): string | undefined {
  const label = labelOf(host.host, 'vernemq.nodename');
  if (label !== undefined) return label;
  for (const view of views) {
    const found = view.nodes.find((node) => isVernemqNodeOf(host.host, node.node));
    if (found !== undefined) return found.node;
  }
  const own = valueOf(host, vernemqProbes.cluster)?.nodes;
  return own?.length === 1 ? own[0]!.node : undefined;
}

interface NodeViews {
  host: HostSnapshot;
  nodes: VmqClusterNode[];
}

interface Membership {
  reference: NodeViews;
  /** Nodes that are out of the reference cluster, with how. */
  out: { host: HostSnapshot; node: string; state: 'not listed' | 'not running' }[];
  /** Hosts whose node could be identified. */
  known: number;
  views: NodeViews[];
}

/** The cluster as the node seeing the most running members sees it, and who is out of it. */
function membershipOf(snapshot: ClusterSnapshot): Membership | undefined {
  const hosts = reachedWithRole(snapshot, 'vernemq');
  const views = hosts.flatMap((host) => {
    const cluster = valueOf(host, vernemqProbes.cluster);
    return cluster === undefined ? [] : [{ host, nodes: cluster.nodes }];
  });
  const running = (view: NodeViews) => view.nodes.filter((node) => node.running).length;
  const reference = [...views].sort((a, b) => running(b) - running(a))[0];
  if (reference === undefined) return undefined;
  const out: Membership['out'] = [];
  let known = 0;
  for (const host of hosts) {
    const node = nodeNameOf(host, views);
    if (node === undefined) continue;
    known += 1;
    const entry = reference.nodes.find((candidate) => candidate.node === node);
    if (entry === undefined) out.push({ host, node, state: 'not listed' });
    else if (!entry.running) out.push({ host, node, state: 'not running' });
  }
  return { reference, out, known, views };
}

function describeViews(views: readonly NodeViews[]): string[] {
  return views.map((view) => `${view.host.host.name} cluster show: ${view.nodes.map((node) => `${node.node} ${node.running ? 'running' : 'NOT running'}`).join(', ')}`);
}

function membershipFindings(snapshot: ClusterSnapshot): Finding[] {
  const membership = membershipOf(snapshot);
  if (membership === undefined || membership.out.length === 0) return [];
  const shown = evidence(describeViews(membership.views));
  if (membership.out.length * 2 >= membership.known && membership.known > 1) {
    return [
      raise(vernemqRules.clusterSplit, {
        cluster: snapshot.cluster.name,
        subject: 'cluster',
        hosts: membership.out.map((entry) => entry.host.host.name),
        params: { count: membership.out.length, total: membership.known, nodes: membership.out.map((entry) => entry.node).join(', ') },
        evidence: shown,
      }),
    ];
  }
  return membership.out.map((entry) =>
    raise(vernemqRules.notInCluster, {
      cluster: snapshot.cluster.name,
      subject: entry.host.host.name,
      hosts: [entry.host.host.name],
      params: { host: entry.host.host.name, node: entry.node, state: entry.state },
      evidence: shown,
    }),
  );
}

function bridgeFindings(snapshot: ClusterSnapshot): Finding[] {
  const membership = membershipOf(snapshot);
  return reachedWithRole(snapshot, 'vernemq').flatMap((host) => {
    const plugins = valueOf(host, vernemqProbes.plugins);
    if (plugins === undefined || !plugins.plugins.some((plugin) => plugin.name === 'vmq_bridge')) return [];
    const outOfCluster = membership?.out.some((entry) => entry.host === host) === true;
    const notJoined = valueOf(host, vernemqProbes.health)?.reasons.some((reason) => /not joined/i.test(reason)) === true;
    if (!outOfCluster && !notJoined) return [];
    return [
      raise(vernemqRules.bridgeBeforeJoin, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name },
        evidence: evidence([
          `enabled plugins: ${plugins.plugins.map((plugin) => plugin.name).join(', ')}`,
          ...(membership === undefined ? [] : describeViews(membership.views)),
          ...(notJoined ? [`GET /health: ${rawOf(host, vernemqProbes.health)}`] : []),
        ]),
      }),
    ];
  });
}

function nonEmptyFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'vernemq').flatMap((host) => {
    const log = valueOf(host, vernemqProbes.log);
    if (log === undefined) return [];
    // A refusal in the log is history once the node has joined: its cluster view shows running peers.
    const view = valueOf(host, vernemqProbes.cluster);
    if (view !== undefined && view.nodes.filter((node) => node.running).length > 1) return [];
    const scan = scanVernemqLog(log.lines.join('\n'));
    if (scan.nonEmptyJoinRefusals.length === 0 && scan.nonEmptyNodeErrors === 0) return [];
    return [
      raise(vernemqRules.nonEmptyJoin, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name },
        evidence: evidence(matchingLines(log.lines, /is non-empty|non_empty_node/, 3)),
      }),
    ];
  });
}

function healthFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'vernemq').flatMap((host) => {
    const findings: Finding[] = [];
    const health = valueOf(host, vernemqProbes.health);
    if (health !== undefined && !health.healthy) {
      findings.push(
        raise(vernemqRules.healthDown, {
          cluster: snapshot.cluster.name,
          subject: host.host.name,
          hosts: [host.host.name],
          params: { host: host.host.name, reasons: health.reasons.join('; ') || 'no reason given' },
          evidence: evidence(`GET /health:\n${rawOf(host, vernemqProbes.health)}`),
        }),
      );
    }
    if (valueOf(host, vernemqProbes.ping)?.responding === false) {
      findings.push(
        raise(vernemqRules.notResponding, {
          cluster: snapshot.cluster.name,
          subject: host.host.name,
          hosts: [host.host.name],
          params: { host: host.host.name },
          evidence: evidence(`vernemq ping:\n${rawOf(host, vernemqProbes.ping)}`),
        }),
      );
    }
    return findings;
  });
}

/** A node's VerneMQ version: the release file, else the container's image tag. */
export function vernemqVersionOf(host: HostSnapshot): NodeVersion | undefined {
  const release = valueOf(host, vernemqProbes.release);
  if (release !== undefined) return { host: host.host.name, version: release.version, source: 'start_erl.data' };
  const state = valueOf(host, vernemqProbes.service);
  const tag = state?.manager === 'docker' ? imageTag(state.container.image) : undefined;
  return tag !== undefined && versionParts(tag) !== undefined ? { host: host.host.name, version: tag, source: 'image tag' } : undefined;
}

function versionFindings(snapshot: ClusterSnapshot): Finding[] {
  const versions = reachedWithRole(snapshot, 'vernemq').flatMap((host) => vernemqVersionOf(host) ?? []);
  const skew = versionSkew(versions);
  if (skew === undefined) return [];
  return [
    raise(vernemqRules.versionSkew, {
      cluster: snapshot.cluster.name,
      subject: 'vernemq',
      hosts: versions.map((entry) => entry.host),
      params: { versions: skew.distinct.join(', ') },
      evidence: evidence(versionEvidence(versions)),
    }),
  ];
}

const unitFindings = (snapshot: ClusterSnapshot) =>
  serviceDownFindings(snapshot, { role: 'vernemq', service: 'vernemq', probe: vernemqProbes.service, rule: vernemqRules.unitDown });

const driftFindings = (snapshot: ClusterSnapshot) =>
  configDriftFindings(snapshot, {
    role: 'vernemq',
    rule: vernemqRules.configDrift,
    checksum: vernemqProbes.configSum,
    content: vernemqProbes.config,
    nodeKeys: ['nodename'],
    selfNames: (host) => [labelOf(host, 'vernemq.nodename')].filter((name): name is string => name !== undefined),
  });

export const vernemqProfile: StackProfile = {
  stack: 'vernemq',
  roles: ['vernemq'],
  probes: Object.values(vernemqProbes) as CommandProbe[],
  catalog: Object.values(vernemqRules),
  rules: [unitFindings, healthFindings, membershipFindings, nonEmptyFindings, bridgeFindings, versionFindings, driftFindings],
  versionOf: (host) => vernemqVersionOf(host)?.version,
};
