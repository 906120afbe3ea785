import { raise, type Finding, type FindingRule } from '../findings';
import {
  errorMessage,
  parseCurlResponse,
  parseWukongClusterNodes,
  parseWukongHealth,
  parseWukongVarz,
  scanWukongLog,
  type WukongNode,
} from '../parsers';
import { rawOf, valueOf, type ClusterSnapshot, type CommandProbe, type HostSnapshot, type StackProfile } from '../profile';
import { evidence, labelOf, matchingLines, reachedWithRole, text } from './common';
import { configDriftFindings, configProbes } from './drift';
import { logTailProbe } from './logs';
import { httpProbe, serviceDownFindings, serviceStateProbe, systemdRun } from './service';
import { versionEvidence, versionSkew, type NodeVersion } from './versions';

/**
 * WuKongIM (Go, Raft; FIELD-NOTES §2). Each node is asked for its own view of the cluster
 * (`/cluster/nodes` on the HTTP API, 5001), its version (`/varz`), its health and its log.
 * `wukongim.config` names the node's wk.yaml when config drift should be checked.
 */

export const WUKONGIM_DEFAULT_API_PORT = 5001;

const wukongimRun = () => systemdRun('wukongim', 'wukongim');
const service = { role: 'wukongim', name: 'wukongim', fallback: wukongimRun } as const;
const api = { ...service, portLabel: 'wukongim.apiPort', defaultPort: WUKONGIM_DEFAULT_API_PORT } as const;
const config = configProbes({ ...service, id: 'wukongim.config', pathOf: (host) => labelOf(host, 'wukongim.config') });

export const wukongimProbes = {
  service: serviceStateProbe({ ...service, id: 'wukongim.service' }),
  nodes: httpProbe({ ...api, id: 'wukongim.nodes', path: '/cluster/nodes', parse: parseWukongClusterNodes }),
  varz: httpProbe({ ...api, id: 'wukongim.varz', path: '/varz', parse: parseWukongVarz }),
  health: httpProbe({ ...api, id: 'wukongim.health', path: '/health', parse: parseWukongHealth }),
  log: logTailProbe({ ...service, id: 'wukongim.log', fileLabel: 'wukongim.logFile' }),
  configSum: config.checksum,
  config: config.content,
};

const restartAction = text(
  'Staged restart, seed node 1001 first, then the others one at a time, each after the previous is fully up; upgrade forward only. Check that every node has the same cluster settings (initNodes, slotCount) and can reach the others on the cluster port (11110).',
  '分批重启：先启动种子节点 1001，再逐个启动其他节点，每个节点须等前一个完全启动；只能向前升级。确认所有节点的集群配置（initNodes、slotCount）一致，且能通过集群端口（11110）互相访问。',
);

export const wukongimRules = {
  membership: {
    id: 'wukongim.membership',
    severity: 'P1',
    title: text('WuKongIM nodes disagree on the cluster members ({{detail}})', 'WuKongIM 节点对集群成员的认识不一致（{{detail}}）'),
    why: text(
      'Nodes that do not see the same members split the slots between them: users on different nodes stop reaching each other and writes can be lost.',
      '节点看到的成员不一致时，槽位会被分裂：不同节点上的用户无法互通，写入可能丢失。',
    ),
    action: restartAction,
    fix: 'staged-restart',
  },
  noLeader: {
    id: 'wukongim.no-leader',
    severity: 'P1',
    title: text('No WuKongIM leader as seen by {{hosts}}', '{{hosts}} 看不到 WuKongIM 集群的 leader'),
    why: text('Without a leader the cluster cannot change its configuration or move slots; nodes that lost it cannot serve.', '没有 leader 时集群无法变更配置或迁移槽位；失去 leader 的节点无法提供服务。'),
    action: restartAction,
    fix: 'staged-restart',
  },
  multipleLeaders: {
    id: 'wukongim.multiple-leaders',
    severity: 'P1',
    title: text('WuKongIM nodes report different leaders: {{leaders}}', 'WuKongIM 节点报告的 leader 不同：{{leaders}}'),
    why: text('More than one leader means the cluster is split in two (or more) clusters that each accept writes.', '出现多个 leader 说明集群已分裂为多个各自接受写入的集群。'),
    action: restartAction,
    fix: 'staged-restart',
  },
  peerNotAnswering: {
    id: 'wukongim.peer-not-answering',
    severity: 'P2',
    title: text('{{host}} cannot get an answer from a peer ({{message}})', '{{host}} 无法得到其他节点的响应（{{message}}）'),
    why: text('The node query fans out to every member; a member that does not answer is down or cut off on the cluster port.', '节点查询会发往每个成员；无响应的成员已停止，或其集群端口网络不通。'),
    action: text('Check which member is down (node view of each) and the network between nodes on port 11110.', '逐个查看节点视图确认哪个成员停止，并检查节点间 11110 端口的网络。'),
    fix: 'node-view',
  },
  versionSkew: {
    id: 'wukongim.version-skew',
    severity: 'P2',
    title: text('WuKongIM nodes run different versions: {{versions}}', 'WuKongIM 节点运行的版本不一致：{{versions}}'),
    why: text('Mixed versions are only meant to last during a rolling upgrade; cluster messages may not be understood across versions.', '版本混用只应出现在滚动升级期间；不同版本之间的集群消息可能无法互通。'),
    action: restartAction,
    fix: 'staged-restart',
  },
  unhealthy: {
    id: 'wukongim.unhealthy',
    severity: 'P1',
    title: text('{{host}} reports itself unhealthy: {{reason}}', '{{host}} 健康检查失败：{{reason}}'),
    why: text('A node without its slots (or their leaders) cannot deliver the messages of the channels it holds.', '缺少槽位（或槽位 leader）的节点无法投递其负责频道的消息。'),
    action: restartAction,
    fix: 'staged-restart',
  },
  slotsTimeout: {
    id: 'wukongim.slots-timeout',
    severity: 'P1',
    title: text('{{host}} gave up waiting for its slots after its last start', '{{host}} 在最近一次启动后等待槽位超时'),
    why: text('The node panicked with "wait all slots ready timeout": it could not reach enough peers to elect slot leaders.', '节点以 “wait all slots ready timeout” 崩溃：它无法联系足够的节点来选出槽位 leader。'),
    action: restartAction,
    fix: 'staged-restart',
  },
  unitDown: {
    id: 'wukongim.unit-down',
    severity: 'P1',
    title: text('WuKongIM on {{host}} is {{state}}', '{{host}} 上的 WuKongIM 状态：{{state}}'),
    why: text('A member that is down costs the cluster a replica of its slots; losing a majority stops the cluster.', '成员停止会让集群失去其槽位的一个副本；失去多数成员时整个集群停止。'),
    action: restartAction,
    fix: 'staged-restart',
  },
  configDrift: {
    id: 'wukongim.config-drift',
    severity: 'P3',
    title: text('{{file}} differs on {{hosts}}', '{{hosts}} 上的 {{file}} 与其他节点不同'),
    why: text('WuKongIM nodes must share their cluster settings (slot count, replicas, init nodes); a difference shows at the next restart.', 'WuKongIM 各节点的集群配置（槽位数、副本数、初始节点）必须一致；差异会在下次重启时暴露。'),
    action: text('Compare the diff, make the files the same (apart from each node\'s own id and addresses), then restart in order.', '对照差异，使各节点配置一致（各自的节点 ID 和地址除外），然后按顺序重启。'),
    fix: 'staged-restart',
  },
} satisfies Record<string, FindingRule>;

interface NodeView {
  host: HostSnapshot;
  nodes: WukongNode[];
}

function viewsOf(snapshot: ClusterSnapshot): NodeView[] {
  return reachedWithRole(snapshot, 'wukongim').flatMap((host) => {
    const answer = valueOf(host, wukongimProbes.nodes);
    return answer === undefined ? [] : [{ host, nodes: answer.nodes }];
  });
}

function describeView(view: NodeView): string {
  const members = view.nodes.map((node) => `${node.id}${node.isLeader ? ' (leader)' : ''}${node.online ? '' : ' (offline)'}`);
  return `${view.host.host.name} sees ${members.length === 0 ? 'no members' : members.join(', ')}`;
}

const idsOf = (view: NodeView) => view.nodes.map((node) => node.id).sort((a, b) => a - b).join(',');

function membershipFindings(snapshot: ClusterSnapshot): Finding[] {
  const views = viewsOf(snapshot);
  if (views.length === 0) return [];
  const deployed = snapshot.cluster.hosts.filter((host) => host.roles.includes('wukongim')).length;
  const disagree = new Set(views.map(idsOf)).size > 1;
  const short = views.some((view) => view.nodes.length < deployed);
  if (!disagree && !short) return [];
  const detail = `${views.map((view) => `${view.host.host.name} sees ${view.nodes.length}`).join(', ')}; ${deployed} deployed`;
  return [
    raise(wukongimRules.membership, {
      cluster: snapshot.cluster.name,
      subject: 'membership',
      hosts: views.map((view) => view.host.host.name),
      params: { detail },
      evidence: evidence(views.map(describeView)),
    }),
  ];
}

function leaderFindings(snapshot: ClusterSnapshot): Finding[] {
  const views = viewsOf(snapshot);
  const leaders = new Set(views.flatMap((view) => view.nodes.filter((node) => node.isLeader).map((node) => node.id)));
  if (leaders.size > 1) {
    return [
      raise(wukongimRules.multipleLeaders, {
        cluster: snapshot.cluster.name,
        subject: 'leader',
        hosts: views.map((view) => view.host.host.name),
        params: { leaders: [...leaders].sort((a, b) => a - b).join(', ') },
        evidence: evidence(views.map(describeView)),
      }),
    ];
  }
  const leaderless = views.filter((view) => view.nodes.length > 0 && !view.nodes.some((node) => node.isLeader));
  if (leaderless.length === 0) return [];
  const names = leaderless.map((view) => view.host.host.name);
  return [
    raise(wukongimRules.noLeader, {
      cluster: snapshot.cluster.name,
      subject: 'leader',
      hosts: names,
      params: { hosts: names.join(', ') },
      evidence: evidence(views.map(describeView)),
    }),
  ];
}

function peerFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'wukongim').flatMap((host) => {
    const raw = host.raw[wukongimProbes.nodes.id];
    if (raw === undefined || valueOf(host, wukongimProbes.nodes) !== undefined) return [];
    const response = parseCurlResponse(raw.output, raw.exitCode ?? undefined);
    if (response.status !== 'ok' || response.value.status !== 400) return [];
    const message = errorMessage(response.value.body) ?? 'HTTP 400';
    return [
      raise(wukongimRules.peerNotAnswering, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, message },
        evidence: evidence(`GET /cluster/nodes:\n${raw.output}`),
      }),
    ];
  });
}

/** A node's own version: `/varz` (app_version in /cluster/nodes is empty on v2.1.1–v2.2.1), else the log banner. */
export function wukongimVersionOf(host: HostSnapshot): NodeVersion | undefined {
  const varz = valueOf(host, wukongimProbes.varz);
  if (varz !== undefined) return { host: host.host.name, version: varz.version, source: '/varz' };
  const log = valueOf(host, wukongimProbes.log);
  const banner = log === undefined ? undefined : scanWukongLog(log.lines.join('\n')).version;
  return banner === undefined ? undefined : { host: host.host.name, version: banner, source: 'log banner' };
}

function versionFindings(snapshot: ClusterSnapshot): Finding[] {
  const versions = reachedWithRole(snapshot, 'wukongim').flatMap((host) => wukongimVersionOf(host) ?? []);
  const skew = versionSkew(versions);
  if (skew === undefined) return [];
  return [
    raise(wukongimRules.versionSkew, {
      cluster: snapshot.cluster.name,
      subject: 'wukongim',
      hosts: versions.map((entry) => entry.host),
      params: { versions: skew.distinct.join(', ') },
      evidence: evidence(versionEvidence(versions)),
    }),
  ];
}

function healthFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'wukongim').flatMap((host) => {
    const health = valueOf(host, wukongimProbes.health);
    if (health === undefined || health.healthy) return [];
    return [
      raise(wukongimRules.unhealthy, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, reason: health.reasons.join('; ') || 'unhealthy' },
        evidence: evidence(`GET /health:\n${rawOf(host, wukongimProbes.health)}`),
      }),
    ];
  });
}

function logFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'wukongim').flatMap((host) => {
    const log = valueOf(host, wukongimProbes.log);
    if (log === undefined || !scanWukongLog(log.lines.join('\n')).slotsTimeout) return [];
    return [
      raise(wukongimRules.slotsTimeout, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name },
        evidence: evidence(matchingLines(log.lines, /Version:|wait all slots ready timeout|Server is ready/)),
      }),
    ];
  });
}

const unitFindings = (snapshot: ClusterSnapshot) =>
  serviceDownFindings(snapshot, { role: 'wukongim', service: 'wukongim', probe: wukongimProbes.service, rule: wukongimRules.unitDown });

/** Keys of wk.yaml that are each node's own by design. */
export const WUKONGIM_NODE_KEYS = ['nodeId', 'serverAddr', 'apiUrl', 'ip', 'tcpAddr', 'wsAddr', 'wssAddr', 'managerAddr'] as const;

const driftFindings = (snapshot: ClusterSnapshot) =>
  configDriftFindings(snapshot, {
    role: 'wukongim',
    rule: wukongimRules.configDrift,
    checksum: wukongimProbes.configSum,
    content: wukongimProbes.config,
    nodeKeys: WUKONGIM_NODE_KEYS,
  });

export const wukongimProfile: StackProfile = {
  stack: 'wukongim',
  roles: ['wukongim'],
  probes: Object.values(wukongimProbes) as CommandProbe[],
  catalog: Object.values(wukongimRules),
  rules: [unitFindings, healthFindings, membershipFindings, leaderFindings, peerFindings, versionFindings, logFindings, driftFindings],
  versionOf: (host) => wukongimVersionOf(host)?.version,
};
