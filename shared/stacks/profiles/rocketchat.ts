import type { Host } from '../../inventory/schema';
import { shellCommand } from '../../shell/quote';
import { raise, type Finding, type FindingRule } from '../findings';
import {
  ok,
  parseHaproxyStat,
  parseRocketChatHealth,
  parseRocketChatInfo,
  parseRocketChatProbe,
  parseRocketChatSetting,
  unknown,
  type HaproxyStatRow,
  type Parsed,
} from '../parsers';
import {
  mongoValueOf,
  rawOf,
  valueOf,
  type ClusterSnapshot,
  type CommandProbe,
  type HostSnapshot,
  type MongoProbe,
  type StackProfile,
} from '../profile';
import { evidence, labelOf, portOf, reachedWithRole, text } from './common';
import { logTailProbe } from './logs';
import { httpProbe, serviceDownFindings, serviceStateProbe, systemdRun, verdictOf } from './service';
import { imageTag, versionEvidence, versionParts, versionSkew, type NodeVersion } from './versions';

/**
 * Rocket.Chat 7.x behind HAProxy with one MongoDB (FIELD-NOTES §1). App nodes are probed one by
 * one (service, `/api/info`, `/health`, `/readyz`, log); HAProxy through its runtime API; the
 * license, air-gap countdown and instance registry through MongoDB.
 */

export const ROCKETCHAT_DEFAULT_PORT = 3000;
export const HAPROXY_DEFAULT_SOCKET = '/run/haproxy/admin.sock';
/** The air-gapped countdown warns from this many days (Rocket.Chat's WARNING_PERIOD_IN_DAYS). */
export const AIRGAP_WARNING_DAYS = 7;

const rocketchatRun = () => systemdRun('rocketchat', 'rocketchat');
const rocketchatHttp = { role: 'rocketchat', name: 'rocketchat', fallback: rocketchatRun, portLabel: 'rocketchat.port', defaultPort: ROCKETCHAT_DEFAULT_PORT } as const;

export const rocketchatProbes = {
  service: serviceStateProbe({ id: 'rocketchat.service', role: 'rocketchat', name: 'rocketchat', fallback: rocketchatRun }),
  info: httpProbe({ ...rocketchatHttp, id: 'rocketchat.info', path: '/api/info', parse: parseRocketChatInfo }),
  /** Before 7.11. */
  health: httpProbe({ ...rocketchatHttp, id: 'rocketchat.health', path: '/health', parse: parseRocketChatHealth }),
  /** From 7.11 (older versions answer with the web client's HTML: unknown, not unhealthy). */
  readyz: httpProbe({ ...rocketchatHttp, id: 'rocketchat.readyz', path: '/readyz', parse: parseRocketChatProbe }),
  log: logTailProbe({ id: 'rocketchat.log', role: 'rocketchat', name: 'rocketchat', fallback: rocketchatRun, fileLabel: 'rocketchat.logFile' }),
  haproxyService: serviceStateProbe({ id: 'haproxy.service', role: 'haproxy', name: 'haproxy', fallback: () => systemdRun('haproxy', 'haproxy') }),
  haproxyStat: {
    id: 'haproxy.stat',
    mayHang: true,
    // The socket path travels as "$1" of a fixed script: a label can never become shell code.
    command: ({ host }) =>
      host.roles.includes('haproxy')
        ? shellCommand(['sh', '-c', 'echo "show stat" | socat stdio "UNIX-CONNECT:$1"', 'sh', labelOf(host, 'haproxy.socket') ?? HAPROXY_DEFAULT_SOCKET])
        : undefined,
    parse: (output, exitCode) => parseHaproxyStat(output, exitCode ?? undefined),
  } satisfies CommandProbe<HaproxyStatRow[]>,
  mongodbService: serviceStateProbe({ id: 'mongodb.service', role: 'mongodb', name: 'mongodb', fallback: () => systemdRun('mongodb', 'mongod') }),
};

export interface RocketChatSettings {
  siteUrl?: string;
  licenseStatus?: 'Valid' | 'Invalid';
  /** -1 unrestricted (valid license), 0 read-only, otherwise days left before read-only. */
  airGappedDays?: number;
}

export interface RocketChatInstance {
  id: string;
  name?: string;
  updatedAt?: string;
  host?: string;
  port?: number;
  nodeVersion?: string;
}

const settingIds = ['Site_Url', 'Enterprise_License_Status', 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days'];

function isoOf(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

function countOf(documents: readonly Record<string, unknown>[]): Parsed<number> {
  const count = documents[0]?.count;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? ok(count) : unknown('not a count answer', JSON.stringify(documents).slice(0, 200));
}

export const rocketchatMongoProbes = {
  settings: {
    id: 'rocketchat.settings',
    collection: 'rocketchat_settings',
    filter: { _id: { $in: settingIds } },
    projection: { _id: 1, value: 1 },
    parse: (documents) => {
      if (documents.length === 0) return unknown('none of the settings exist: is this the Rocket.Chat database?', '');
      const settings: RocketChatSettings = {};
      for (const document of documents) {
        if (document._id === 'Site_Url') {
          if (typeof document.value === 'string') settings.siteUrl = document.value;
          continue;
        }
        // The setting parser reads exactly these two settings and refuses any other document.
        const setting = parseRocketChatSetting(JSON.stringify({ _id: document._id, value: document.value }));
        if (setting.status !== 'ok') return setting;
        if (setting.value.id === 'Enterprise_License_Status') settings.licenseStatus = setting.value.value;
        else settings.airGappedDays = setting.value.value;
      }
      return ok(settings);
    },
  } satisfies MongoProbe<RocketChatSettings>,
  /** Whether a license is stored: counted in the database, so the license text never leaves it. */
  licenseSet: {
    id: 'rocketchat.license-set',
    collection: 'rocketchat_settings',
    filter: { _id: 'Enterprise_License', value: { $type: 'string', $ne: '' } },
    count: true,
    parse: (documents) => {
      const count = countOf(documents);
      return count.status === 'ok' ? ok(count.value > 0) : count;
    },
  } satisfies MongoProbe<boolean>,
  instances: {
    id: 'rocketchat.instances',
    collection: 'instances',
    filter: {},
    projection: { _id: 1, name: 1, _updatedAt: 1, 'extraInformation.host': 1, 'extraInformation.port': 1, 'extraInformation.nodeVersion': 1 },
    limit: 500,
    parse: (documents) =>
      ok(
        documents.map((document) => {
          const instance: RocketChatInstance = { id: String(document._id) };
          if (typeof document.name === 'string') instance.name = document.name;
          const updatedAt = isoOf(document._updatedAt);
          if (updatedAt !== undefined) instance.updatedAt = updatedAt;
          const extra = typeof document.extraInformation === 'object' && document.extraInformation !== null ? (document.extraInformation as Record<string, unknown>) : {};
          if (typeof extra.host === 'string') instance.host = extra.host;
          const port = Number(extra.port);
          if (extra.port !== undefined && Number.isInteger(port) && port > 0) instance.port = port;
          if (typeof extra.nodeVersion === 'string') instance.nodeVersion = extra.nodeVersion;
          return instance;
        }),
      ),
  } satisfies MongoProbe<RocketChatInstance[]>,
  /**
   * Active users as Rocket.Chat counts them against license limits (`getActiveLocalUserCount`):
   * active, and not a guest-only user, an app, a bot, federated or remote.
   */
  activeUsers: {
    id: 'rocketchat.active-users',
    collection: 'users',
    filter: { active: true, roles: { $ne: ['guest'] }, type: { $nin: ['app', 'bot'] }, federated: { $ne: true }, isRemote: { $ne: true } },
    count: true,
    parse: countOf,
  } satisfies MongoProbe<number>,
};

export interface RocketChatLogScan {
  /** The node's last word on the air-gapped restriction since its last start, if any. */
  restriction?: 'applied' | 'removed';
  restrictionLines: string[];
  /** From the `Rocket.Chat Version: 7.0.3` line of the start banner. */
  version?: string;
}

/**
 * Reads a node's log for its own read-only state (decided in its memory, FIELD-NOTES §1): the
 * license package's `Restrictions applied` / `Restrictions removed` lines and writes refused
 * with `restricted-workspace`. A new start banner forgets what the previous run said.
 */
export function scanRocketChatLog(lines: readonly string[]): RocketChatLogScan {
  const scan: RocketChatLogScan = { restrictionLines: [] };
  for (const line of lines) {
    const banner = /Rocket\.Chat Version:\s*(\d+\.\d+\.\d+[\w.+-]*)/.exec(line);
    if (banner !== null) {
      scan.version = banner[1]!;
      delete scan.restriction;
      scan.restrictionLines = [];
    } else if (/Restrictions applied|restricted-workspace/.test(line)) {
      scan.restriction = 'applied';
      scan.restrictionLines.push(line);
    } else if (/Restrictions removed/.test(line)) {
      scan.restriction = 'removed';
      scan.restrictionLines.push(line);
    }
  }
  scan.restrictionLines = scan.restrictionLines.slice(-5);
  return scan;
}

/** A node's Rocket.Chat version, most precise source first: start banner, image tag, `/api/info`. */
export function rocketchatVersionOf(host: HostSnapshot): NodeVersion | undefined {
  const log = valueOf(host, rocketchatProbes.log);
  const banner = log === undefined ? undefined : scanRocketChatLog(log.lines).version;
  if (banner !== undefined) return { host: host.host.name, version: banner, source: 'log banner' };
  const state = valueOf(host, rocketchatProbes.service);
  const tag = state?.manager === 'docker' ? imageTag(state.container.image) : undefined;
  if (tag !== undefined && versionParts(tag) !== undefined) return { host: host.host.name, version: tag, source: 'image tag' };
  const info = valueOf(host, rocketchatProbes.info);
  return info === undefined ? undefined : { host: host.host.name, version: info.version, source: '/api/info' };
}

/** The versions of every Rocket.Chat node that said one this round. */
export function rocketchatVersions(snapshot: ClusterSnapshot): NodeVersion[] {
  return reachedWithRole(snapshot, 'rocketchat').flatMap((host) => rocketchatVersionOf(host) ?? []);
}

export const rocketchatRules = {
  readOnly: {
    id: 'rocketchat.read-only',
    severity: 'P1',
    title: text('The workspace is in read-only mode (license status: {{status}})', '工作区处于只读模式（许可证状态：{{status}}）'),
    why: text(
      'Without a valid license, an air-gapped workspace turns read-only once its countdown reaches 0: users can read but not send messages.',
      '没有有效许可证时，离线（air-gapped）工作区倒计时归零后进入只读模式：用户只能查看，无法发送消息。',
    ),
    action: text(
      'Apply a valid offline license (same license for every node), then verify each node left read-only mode and restart any that did not.',
      '导入有效的离线许可证（所有节点使用同一许可证），然后逐个节点确认已退出只读模式，未退出的节点需重启。',
    ),
    fix: 'license-wizard',
  },
  nodeReadOnly: {
    id: 'rocketchat.node-read-only',
    severity: 'P1',
    title: text('{{host}} says it is in read-only mode', '{{host}} 报告自身处于只读模式'),
    why: text(
      "Each node decides read-only mode in its own memory: this node refuses writes even if the database says the workspace is fine.",
      '每个节点在自身内存中判断只读模式：即使数据库显示工作区正常，该节点仍会拒绝写入。',
    ),
    action: text(
      'Apply the license again through the license wizard, which checks every node and restarts the ones that did not pick it up.',
      '通过许可证向导重新导入许可证；向导会逐个节点检查，并重启未生效的节点。',
    ),
    fix: 'license-wizard',
  },
  airGapWarning: {
    id: 'rocketchat.airgap-countdown',
    severity: 'P2',
    title: text('The workspace turns read-only in {{days}} days', '工作区将在 {{days}} 天后变为只读'),
    why: text(
      'An air-gapped workspace without a valid license counts down from its last statistics report; at 0 every node stops accepting writes.',
      '没有有效许可证的离线工作区会从上次统计上报起倒计时；归零后所有节点停止接受写入。',
    ),
    action: text(
      'Apply an offline license before the countdown ends (or let the workspace reach the internet on port 443).',
      '在倒计时结束前导入离线许可证（或允许工作区通过 443 端口访问互联网）。',
    ),
    fix: 'license-wizard',
  },
  licenseInvalid: {
    id: 'rocketchat.license-invalid',
    severity: 'P2',
    title: text('The stored license is not valid', '已存储的许可证无效'),
    why: text(
      'A license is stored but Rocket.Chat rejected it (wrong Site_Url, expired, or over its limits): premium features are off and the air-gap countdown runs.',
      '已存储许可证但被 Rocket.Chat 拒绝（Site_Url 不符、已过期或超出限制）：高级功能关闭，离线倒计时继续。',
    ),
    action: text(
      'Check the license against Site_Url, its validity dates and the active user count in the license wizard, then apply a correct one.',
      '在许可证向导中核对 Site_Url、有效期和活跃用户数，然后导入正确的许可证。',
    ),
    fix: 'license-wizard',
  },
  notInInstances: {
    id: 'rocketchat.not-in-instances',
    severity: 'P2',
    title: text('{{node}} is running but absent from instances', '{{node}} 正在运行但不在 instances 中'),
    why: text(
      'Nodes find each other through the instances collection: a node missing there does not relay events, so its users miss messages and presence from other nodes.',
      '节点通过 instances 集合互相发现：缺失的节点不会转发事件，其用户收不到其他节点的消息和在线状态。',
    ),
    action: text(
      "Check the node's MongoDB connection and INSTANCE_IP, then restart it (staged restart keeps the others serving).",
      '检查该节点的 MongoDB 连接和 INSTANCE_IP，然后重启它（分批重启可让其他节点继续服务）。',
    ),
    fix: 'staged-restart',
  },
  versionSkew: {
    id: 'rocketchat.version-skew',
    severity: 'P2',
    title: text('Rocket.Chat nodes run different versions: {{versions}}', 'Rocket.Chat 节点运行的版本不一致：{{versions}}'),
    why: text(
      'Nodes of different versions share one database and exchange events: migrations and message formats may not match.',
      '不同版本的节点共用同一数据库并互相转发事件：数据迁移和消息格式可能不兼容。',
    ),
    action: text('Bring every node to the same version, one node at a time.', '逐个节点升级或回退到同一版本。'),
    fix: 'staged-restart',
  },
  unhealthy: {
    id: 'rocketchat.unhealthy',
    severity: 'P1',
    title: text('{{host}} reports itself unhealthy', '{{host}} 健康检查失败'),
    why: text('The node answers but says it cannot serve (often MongoDB or its own startup); HAProxy will take it out.', '节点有响应但表示无法提供服务（常因 MongoDB 或自身启动问题）；HAProxy 会将其摘除。'),
    action: text("Open the node view: read its log and health answer, check its MongoDB connection.", '打开节点视图：查看日志和健康检查返回，检查其 MongoDB 连接。'),
    fix: 'node-view',
  },
  unitDown: {
    id: 'rocketchat.unit-down',
    severity: 'P1',
    title: text('Rocket.Chat on {{host}} is {{state}}', '{{host}} 上的 Rocket.Chat 状态：{{state}}'),
    why: text('A node that is down or restarting over and over serves nobody and puts more load on the others.', '停止或反复重启的节点无法服务，并加重其他节点的负载。'),
    action: text('Read the log in the node view for the reason it exits, fix it, then start the node.', '在节点视图中查看日志找出退出原因，修复后再启动该节点。'),
    fix: 'node-view',
  },
  haproxyDown: {
    id: 'haproxy.unit-down',
    severity: 'P1',
    title: text('HAProxy on {{host}} is {{state}}', '{{host}} 上的 HAProxy 状态：{{state}}'),
    why: text('HAProxy is the way in: while it is down no user reaches any Rocket.Chat node through it.', 'HAProxy 是访问入口：它停止时，用户无法通过它访问任何 Rocket.Chat 节点。'),
    action: text('Check the configuration (haproxy -c -f) and its log in the node view, then start it.', '检查配置（haproxy -c -f）并在节点视图中查看日志，然后启动它。'),
    fix: 'node-view',
  },
  mongodbDown: {
    id: 'mongodb.unit-down',
    severity: 'P1',
    title: text('MongoDB on {{host}} is {{state}}', '{{host}} 上的 MongoDB 状态：{{state}}'),
    why: text('Every Rocket.Chat node depends on MongoDB: without it nodes cannot start, log in users or store messages.', '所有 Rocket.Chat 节点都依赖 MongoDB：它停止时节点无法启动、无法登录用户、无法保存消息。'),
    action: text('Start MongoDB first, then HAProxy, then the app nodes one by one.', '先启动 MongoDB，再启动 HAProxy，然后逐个启动应用节点。'),
    fix: 'node-view',
  },
  backendDown: {
    id: 'haproxy.backend-down',
    severity: 'P1',
    title: text('Every server of HAProxy backend {{backend}} is down', 'HAProxy 后端 {{backend}} 的所有服务器均不可用'),
    why: text('HAProxy has nowhere to send requests: users get 503 errors.', 'HAProxy 无处转发请求：用户会收到 503 错误。'),
    action: text('Bring at least one node back (node view), then check why the others fail their health check.', '先恢复至少一个节点（节点视图），再检查其他节点健康检查失败的原因。'),
    fix: 'node-view',
  },
  serverDown: {
    id: 'haproxy.server-down',
    severity: 'P2',
    title: text('HAProxy marks {{server}} in {{backend}} DOWN', 'HAProxy 将 {{backend}} 中的 {{server}} 标记为 DOWN'),
    why: text('That node fails its health check: the others carry its users.', '该节点未通过健康检查：其用户由其他节点承担。'),
    action: text("Open the node view of that node: service state, health answer, log.", '打开该节点的节点视图：查看服务状态、健康检查返回和日志。'),
    fix: 'node-view',
  },
  serverMaint: {
    id: 'haproxy.server-maint',
    severity: 'P2',
    title: text('{{server}} in {{backend}} is left in maintenance (MAINT)', '{{backend}} 中的 {{server}} 仍处于维护状态（MAINT）'),
    why: text(
      'A server in MAINT gets no traffic even when healthy, often left over from an interrupted restart.',
      '处于 MAINT 的服务器即使健康也不接收流量，常见于中断的重启操作遗留。',
    ),
    action: text('Run a staged restart of that node: it readies the server in HAProxy once the health gate passes.', '对该节点执行分批重启：健康检查通过后会在 HAProxy 中将其恢复为 ready。'),
    fix: 'staged-restart',
  },
  serverDrain: {
    id: 'haproxy.server-drain',
    severity: 'P2',
    title: text('{{server}} in {{backend}} is left drained ({{status}})', '{{backend}} 中的 {{server}} 仍处于摘流状态（{{status}}）'),
    why: text('A drained server takes no new sessions: the cluster runs with one node less.', '摘流的服务器不接收新会话：集群相当于少了一个节点。'),
    action: text('Finish or redo the staged restart of that node, which readies it after its health gate.', '完成或重新执行该节点的分批重启，健康检查通过后会将其恢复。'),
    fix: 'staged-restart',
  },
} satisfies Record<string, FindingRule>;

function cluster(snapshot: ClusterSnapshot): string {
  return snapshot.cluster.name;
}

function licenseFindings(snapshot: ClusterSnapshot): Finding[] {
  const settings = mongoValueOf(snapshot, rocketchatMongoProbes.settings);
  if (settings === undefined) return [];
  const licenseSet = mongoValueOf(snapshot, rocketchatMongoProbes.licenseSet);
  const nodes = reachedWithRole(snapshot, 'rocketchat').map((host) => host.host.name);
  const days = settings.airGappedDays;
  const shown = [
    `Enterprise_License_Status: ${settings.licenseStatus ?? '(not set)'}`,
    `Cloud_Workspace_AirGapped_Restrictions_Remaining_Days: ${days ?? '(not set)'}`,
    `Enterprise_License: ${licenseSet === undefined ? '(unknown)' : licenseSet ? 'set' : 'not set'}`,
    `Site_Url: ${settings.siteUrl ?? '(not set)'}`,
  ].join('\n');
  const findings: Finding[] = [];
  if (days === 0) {
    findings.push(
      raise(rocketchatRules.readOnly, { cluster: cluster(snapshot), subject: 'workspace', hosts: nodes, params: { status: settings.licenseStatus ?? 'none' }, evidence: shown }),
    );
  } else if (days !== undefined && days > 0 && days <= AIRGAP_WARNING_DAYS) {
    findings.push(raise(rocketchatRules.airGapWarning, { cluster: cluster(snapshot), subject: 'workspace', hosts: nodes, params: { days }, evidence: shown }));
  }
  if (settings.licenseStatus === 'Invalid' && licenseSet === true && days !== 0) {
    findings.push(raise(rocketchatRules.licenseInvalid, { cluster: cluster(snapshot), subject: 'license', hosts: nodes, evidence: shown }));
  }
  return findings;
}

function nodeReadOnlyFindings(snapshot: ClusterSnapshot): Finding[] {
  // When the workspace itself is read-only, the workspace finding already speaks for every node.
  if (mongoValueOf(snapshot, rocketchatMongoProbes.settings)?.airGappedDays === 0) return [];
  return reachedWithRole(snapshot, 'rocketchat').flatMap((host) => {
    const log = valueOf(host, rocketchatProbes.log);
    if (log === undefined) return [];
    const scan = scanRocketChatLog(log.lines);
    if (scan.restriction !== 'applied') return [];
    return [
      raise(rocketchatRules.nodeReadOnly, {
        cluster: cluster(snapshot),
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name },
        evidence: evidence(scan.restrictionLines),
      }),
    ];
  });
}

/** The names a node registers under in `instances` (its INSTANCE_IP is usually its address). */
function instanceNames(host: Host): string[] {
  return [host.address, host.name, labelOf(host, 'rocketchat.instanceHost')].filter((name): name is string => name !== undefined).map((name) => name.toLowerCase());
}

function describeInstance(instance: RocketChatInstance): string {
  return `${instance.name ?? 'instance'} ${instance.host ?? '?'}:${instance.port ?? '?'} (updated ${instance.updatedAt ?? '?'})`;
}

function instancesFindings(snapshot: ClusterSnapshot): Finding[] {
  const instances = mongoValueOf(snapshot, rocketchatMongoProbes.instances);
  if (instances === undefined) return [];
  // A node serves when it answers /api/info, or at least its service manager says it runs.
  const serving = reachedWithRole(snapshot, 'rocketchat').filter(
    (host) => valueOf(host, rocketchatProbes.info) !== undefined || verdictOf(host, rocketchatProbes.service)?.condition === 'running',
  );
  const unmatchedInstances = [...instances];
  const unmatchedNodes: HostSnapshot[] = [];
  for (const node of serving) {
    const names = instanceNames(node.host);
    const port = portOf(node.host, 'rocketchat.port', ROCKETCHAT_DEFAULT_PORT);
    const index = unmatchedInstances.findIndex(
      (instance) => instance.host !== undefined && names.includes(instance.host.toLowerCase()) && (instance.port === undefined || instance.port === port),
    );
    if (index >= 0) unmatchedInstances.splice(index, 1);
    else unmatchedNodes.push(node);
  }
  // As many unexplained entries as unexplained nodes: the addresses just do not line up.
  if (unmatchedNodes.length <= unmatchedInstances.length) return [];
  const shown = [
    `instances (${instances.length}):`,
    ...instances.map((instance) => `  ${describeInstance(instance)}`),
    `running nodes (${serving.length}): ${serving.map((node) => `${node.host.name} (${node.host.address})`).join(', ')}`,
  ];
  if (unmatchedInstances.length === 0) {
    return unmatchedNodes.map((node) =>
      raise(rocketchatRules.notInInstances, {
        cluster: cluster(snapshot),
        subject: node.host.name,
        hosts: [node.host.name],
        params: { node: node.host.name },
        evidence: evidence(shown),
      }),
    );
  }
  const missing = unmatchedNodes.length - unmatchedInstances.length;
  return [
    raise(rocketchatRules.notInInstances, {
      cluster: cluster(snapshot),
      subject: 'instances',
      hosts: unmatchedNodes.map((node) => node.host.name),
      params: { node: `${missing} of ${unmatchedNodes.map((node) => node.host.name).join(', ')}` },
      evidence: evidence(shown),
    }),
  ];
}

function healthFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'rocketchat').flatMap((host) => {
    const health = valueOf(host, rocketchatProbes.health);
    const ready = valueOf(host, rocketchatProbes.readyz);
    const failing =
      health?.healthy === false
        ? { path: '/health', raw: rawOf(host, rocketchatProbes.health) }
        : ready !== undefined && ready.overall === 'down'
          ? { path: '/readyz', raw: rawOf(host, rocketchatProbes.readyz) }
          : undefined;
    if (failing === undefined) return [];
    return [
      raise(rocketchatRules.unhealthy, {
        cluster: cluster(snapshot),
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name },
        evidence: evidence(`GET ${failing.path}:\n${failing.raw}`),
      }),
    ];
  });
}

function versionFindings(snapshot: ClusterSnapshot): Finding[] {
  const versions = rocketchatVersions(snapshot);
  const skew = versionSkew(versions);
  if (skew === undefined) return [];
  return [
    raise(rocketchatRules.versionSkew, {
      cluster: cluster(snapshot),
      subject: 'rocketchat',
      hosts: versions.map((entry) => entry.host),
      params: { versions: skew.distinct.join(', ') },
      evidence: evidence(versionEvidence(versions)),
    }),
  ];
}

/**
 * The inventory host a HAProxy server line stands for: same name, `haproxy.server` label, or the
 * `addr` column's address when exactly one host of the cluster has it.
 */
export function hostOfHaproxyServer(hosts: readonly Host[], server: string, addr: string | undefined): string | undefined {
  const named = hosts.find((candidate) => candidate.name === server || labelOf(candidate, 'haproxy.server') === server);
  if (named !== undefined) return named.name;
  const address = addr?.replace(/:\d+$/, '');
  const byAddress = hosts.filter((candidate) => candidate.address === address);
  return byAddress.length === 1 ? byAddress[0]!.name : undefined;
}

const hostOfServer = (snapshot: ClusterSnapshot, row: HaproxyStatRow): string | undefined => hostOfHaproxyServer(snapshot.cluster.hosts, row.server, row.columns.addr);

const statHeader = 'pxname,svname,status,check_status,lastchg';
const statLine = (row: HaproxyStatRow) => [row.proxy, row.server, row.status.raw, row.checkStatus ?? '', row.lastChangeSeconds ?? ''].join(',');

function haproxyFindings(snapshot: ClusterSnapshot): Finding[] {
  const findings: Finding[] = [];
  for (const lb of reachedWithRole(snapshot, 'haproxy')) {
    const rows = valueOf(lb, rocketchatProbes.haproxyStat);
    if (rows === undefined) continue;
    const backends = new Map<string, HaproxyStatRow[]>();
    for (const row of rows) if (row.kind === 'server') backends.set(row.proxy, [...(backends.get(row.proxy) ?? []), row]);
    for (const [backend, servers] of backends) {
      const isOut = (row: HaproxyStatRow) => row.status.base === 'DOWN' || row.status.base === 'MAINT';
      const subject = (server: string) => `${lb.host.name}:${backend}/${server}`;
      const hostsOf = (row: HaproxyStatRow) => [lb.host.name, ...[hostOfServer(snapshot, row)].filter((name): name is string => name !== undefined)];
      if (servers.every(isOut)) {
        findings.push(
          raise(rocketchatRules.backendDown, {
            cluster: cluster(snapshot),
            subject: subject('*'),
            hosts: [lb.host.name, ...servers.flatMap((row) => hostOfServer(snapshot, row) ?? [])],
            params: { backend, host: lb.host.name },
            evidence: evidence([statHeader, ...servers.map(statLine)]),
          }),
        );
        continue;
      }
      for (const row of servers) {
        const rule =
          row.status.base === 'DOWN'
            ? rocketchatRules.serverDown
            : row.status.base === 'MAINT'
              ? rocketchatRules.serverMaint
              : row.status.base === 'DRAIN' || row.status.base === 'NOLB'
                ? rocketchatRules.serverDrain
                : undefined;
        if (rule === undefined) continue;
        findings.push(
          raise(rule, {
            cluster: cluster(snapshot),
            subject: subject(row.server),
            hosts: hostsOf(row),
            params: { backend, server: row.server, status: row.status.raw, host: lb.host.name },
            evidence: evidence([`show stat on ${lb.host.name}:`, statHeader, statLine(row)]),
          }),
        );
      }
    }
  }
  return findings;
}

const unitFindings = (snapshot: ClusterSnapshot): Finding[] => [
  ...serviceDownFindings(snapshot, { role: 'rocketchat', service: 'rocketchat', probe: rocketchatProbes.service, rule: rocketchatRules.unitDown }),
  ...serviceDownFindings(snapshot, { role: 'haproxy', service: 'haproxy', probe: rocketchatProbes.haproxyService, rule: rocketchatRules.haproxyDown }),
  ...serviceDownFindings(snapshot, { role: 'mongodb', service: 'mongodb', probe: rocketchatProbes.mongodbService, rule: rocketchatRules.mongodbDown }),
];

export const rocketchatProfile: StackProfile = {
  stack: 'rocketchat',
  roles: ['rocketchat', 'haproxy', 'mongodb'],
  probes: Object.values(rocketchatProbes) as CommandProbe[],
  mongoProbes: Object.values(rocketchatMongoProbes) as MongoProbe[],
  catalog: Object.values(rocketchatRules),
  rules: [unitFindings, healthFindings, licenseFindings, nodeReadOnlyFindings, instancesFindings, haproxyFindings, versionFindings],
  versionOf: (host) => rocketchatVersionOf(host)?.version,
};
