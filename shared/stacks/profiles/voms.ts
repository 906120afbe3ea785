import type { Host, Role } from '../../inventory/schema';
import { shellCommand } from '../../shell/quote';
import { raise, type Finding, type FindingRule } from '../findings';
import {
  detectProbeFailure,
  ok,
  parseNatsHealthz,
  parseSha256sum,
  parseStat,
  parseSystemctlCat,
  parseSystemctlShow,
  parseTolerantHealth,
  unknown,
  type FileStat,
  type Parsed,
  type SystemdUnitState,
  type UnitFiles,
} from '../parsers';
import { localUrl } from '../probes';
import { rawOf, valueOf, type ClusterSnapshot, type CommandProbe, type HostSnapshot, type StackProfile } from '../profile';
import { evidence, labelOf, portOf, reachedWithRole, text } from './common';
import { logTailProbe } from './logs';
import { httpProbe, isDown, judgeService, probedAtMs, serviceRunOf, systemctlShowArgv, systemdRun, type ServiceVerdict } from './service';

/**
 * The VOMS-style systemd stack (FIELD-NOTES §4): server, two workers, PostgreSQL, Redis, NATS
 * and Caddy, on one host or a few, with OTA updates of the server binary. All its units are
 * read in one `systemctl show`; a `services` entry of kind systemd renames a unit (e.g.
 * `postgresql@15-main`).
 */

export const VOMS_DEFAULT_PORT = 8181;
export const VOMS_HEALTH_PATH = '/api/v1/public/system/health';
export const NATS_DEFAULT_MONITOR_PORT = 8222;
export const VOMS_DEFAULT_BINARY = '/opt/voms/bin/server';
/** A binary replaced this recently, on a server that is failing, points at the update. */
export const RECENT_UPDATE_MS = 24 * 3_600_000;

interface VomsService {
  name: string;
  role: Role;
  /** Default unit names, the first one that exists wins (Debian's Redis unit is `redis-server`). */
  units: readonly string[];
}

export const vomsServices: readonly VomsService[] = [
  { name: 'voms-server', role: 'voms', units: ['voms-server'] },
  { name: 'voms-worker-consumer', role: 'voms', units: ['voms-worker-consumer'] },
  { name: 'voms-worker-scheduler', role: 'voms', units: ['voms-worker-scheduler'] },
  { name: 'postgresql', role: 'postgresql', units: ['postgresql'] },
  { name: 'redis', role: 'redis', units: ['redis', 'redis-server'] },
  { name: 'nats', role: 'nats', units: ['nats', 'nats-server'] },
  { name: 'caddy', role: 'caddy', units: ['caddy'] },
];

/** The units asked for on a host, per VOMS service it runs. Services run other than by systemd are left out. */
function unitsOf(host: Host): { service: VomsService; units: readonly string[] }[] {
  return vomsServices.flatMap((service) => {
    if (!host.roles.includes(service.role)) return [];
    const configured = host.services?.find((run) => run.name === service.name);
    if (configured === undefined) return [{ service, units: service.units }];
    return configured.kind === 'systemd' ? [{ service, units: [configured.unit] }] : [];
  });
}

/** What the OTA rollback works on: the unit it restarts, the binary and its backup, the health gate. */
export interface OtaTarget {
  unit: string;
  binary: string;
  backup: string;
  healthUrl: string;
}

/** The OTA-managed server of a VOMS host (labels `voms.binary`, `voms.backup`, `voms.port`), or undefined. */
export function otaTargetOf(host: Host): OtaTarget | undefined {
  if (!host.roles.includes('voms')) return undefined;
  const port = portOf(host, 'voms.port', VOMS_DEFAULT_PORT);
  if (port === undefined) return undefined;
  const run = serviceRunOf(host, 'voms-server', systemdRun('voms-server', 'voms-server'));
  if (run.kind !== 'systemd') return undefined;
  const binary = labelOf(host, 'voms.binary') ?? VOMS_DEFAULT_BINARY;
  return { unit: run.unit, binary, backup: labelOf(host, 'voms.backup') ?? `${binary}.bak`, healthUrl: localUrl(port, VOMS_HEALTH_PATH) };
}

export interface PgReady {
  state: 'accepting' | 'rejecting' | 'no response' | 'no attempt';
}

/** `pg_isready`: `/var/run/postgresql:5432 - accepting connections` (exit 0), rejecting (1), no response (2), no attempt (3). */
export function parsePgIsReady(output: string, exitCode?: number): Parsed<PgReady> {
  const failure = detectProbeFailure(output, exitCode);
  if (failure !== undefined) return unknown(failure, output);
  const match = / - (accepting connections|rejecting connections|no response|no attempt)\s*$/m.exec(output);
  if (match === null) return unknown('not a pg_isready answer', output);
  const state = match[1]!.replace(' connections', '') as PgReady['state'];
  return ok({ state });
}

/** `redis-cli ping`: `PONG`; an error reply (NOAUTH, LOADING) still means Redis answered. */
export function parseRedisPing(output: string, exitCode?: number): Parsed<{ answering: boolean; reply: string }> {
  const failure = detectProbeFailure(output, exitCode);
  if (failure !== undefined) return unknown(failure, output);
  const reply = output.trim();
  if (/^PONG$/.test(reply)) return ok({ answering: true, reply });
  if (/^(?:\(error\) )?(?:NOAUTH|LOADING|MASTERDOWN|MISCONF)\b/.test(reply)) return ok({ answering: true, reply });
  if (/^Could not connect to Redis at .*$/m.test(reply)) return ok({ answering: false, reply: reply.split('\n')[0]! });
  return unknown('not a redis-cli ping answer', output);
}

export const vomsProbes = {
  units: {
    id: 'voms.units',
    command: ({ host }) => {
      const units = unitsOf(host).flatMap((entry) => entry.units);
      return units.length === 0 ? undefined : shellCommand(systemctlShowArgv(units));
    },
    parse: (output, exitCode, { host }) => {
      const wanted = unitsOf(host);
      const parsed = parseSystemctlShow(output, exitCode ?? undefined, { unitCount: wanted.reduce((sum, entry) => sum + entry.units.length, 0) });
      if (parsed.status !== 'ok') return parsed;
      const states: Record<string, SystemdUnitState> = {};
      let index = 0;
      for (const entry of wanted) {
        const candidates = parsed.value.slice(index, index + entry.units.length);
        index += entry.units.length;
        states[entry.service.name] = candidates.find((unit) => unit.loadState !== 'not-found') ?? candidates[0]!;
      }
      return ok(states);
    },
  } satisfies CommandProbe<Record<string, SystemdUnitState>>,
  /** The OTA-restarted unit's files: its effective `Restart=`. */
  unitFile: {
    id: 'voms.unit-file',
    command: ({ host }) => {
      const target = otaTargetOf(host);
      return target === undefined ? undefined : shellCommand(['systemctl', 'cat', target.unit]);
    },
    parse: (output, exitCode) => parseSystemctlCat(output, exitCode ?? undefined),
  } satisfies CommandProbe<UnitFiles>,
  health: httpProbe({
    id: 'voms.health',
    role: 'voms',
    name: 'voms-server',
    fallback: () => systemdRun('voms-server', 'voms-server'),
    portLabel: 'voms.port',
    defaultPort: VOMS_DEFAULT_PORT,
    path: VOMS_HEALTH_PATH,
    parse: parseTolerantHealth,
  }),
  natsHealth: httpProbe({
    id: 'voms.nats-health',
    role: 'nats',
    name: 'nats',
    fallback: () => systemdRun('nats', 'nats'),
    portLabel: 'nats.monitorPort',
    defaultPort: NATS_DEFAULT_MONITOR_PORT,
    path: '/healthz',
    parse: parseNatsHealthz,
  }),
  pgReady: {
    id: 'voms.pg-ready',
    command: ({ host }) => {
      if (!host.roles.includes('postgresql')) return undefined;
      const port = portOf(host, 'postgresql.port', 5432);
      return port === undefined ? undefined : shellCommand(['pg_isready', '-p', String(port)]);
    },
    parse: (output, exitCode) => parsePgIsReady(output, exitCode ?? undefined),
  } satisfies CommandProbe<PgReady>,
  redisPing: {
    id: 'voms.redis-ping',
    command: ({ host }) => {
      if (!host.roles.includes('redis')) return undefined;
      const port = portOf(host, 'redis.port', 6379);
      return port === undefined ? undefined : shellCommand(['redis-cli', '-p', String(port), 'ping']);
    },
    parse: (output, exitCode) => parseRedisPing(output, exitCode ?? undefined),
  } satisfies CommandProbe<{ answering: boolean; reply: string }>,
  otaFiles: {
    id: 'voms.ota-files',
    command: ({ host }) => {
      const target = otaTargetOf(host);
      return target === undefined ? undefined : shellCommand(['stat', '-c', '%s %a %U %G %Y %n', target.binary, target.backup]);
    },
    parse: (output, exitCode) => parseStat(output, exitCode ?? undefined),
  } satisfies CommandProbe<{ files: FileStat[]; missing: string[] }>,
  otaSums: {
    id: 'voms.ota-sums',
    command: ({ host }) => {
      const target = otaTargetOf(host);
      return target === undefined ? undefined : shellCommand(['sha256sum', target.binary, target.backup]);
    },
    parse: (output, exitCode) => parseSha256sum(output, exitCode ?? undefined),
  } satisfies CommandProbe<{ files: { path: string; sha256: string }[]; missing: string[] }>,
  log: logTailProbe({ id: 'voms.log', role: 'voms', name: 'voms-server', fallback: () => systemdRun('voms-server', 'voms-server'), fileLabel: 'voms.logFile' }),
};

const restoreFirst = text(
  'First restore service, then keep the evidence (logs), then fix the cause.',
  '先恢复服务，再保留证据（日志），最后修复根因。',
);

export const vomsRules = {
  serverDown: {
    id: 'voms.server-down',
    severity: 'P1',
    title: text('voms-server on {{host}} is {{state}}', '{{host}} 上的 voms-server 状态：{{state}}'),
    why: text('The VOMS API and web app are down for everyone.', 'VOMS 的 API 和网页对所有人不可用。'),
    action: text(
      'Read journalctl -u voms-server in the node view: config.production.json, database/Redis/NATS reachability, JWT settings and migrations are the usual causes.',
      '在节点视图中查看 journalctl -u voms-server：常见原因有 config.production.json、数据库/Redis/NATS 连接、JWT 设置和数据库迁移。',
    ),
    fix: 'node-view',
  },
  workerDown: {
    id: 'voms.worker-down',
    severity: 'P2',
    title: text('{{service}} on {{host}} is {{state}}', '{{host}} 上的 {{service}} 状态：{{state}}'),
    why: text('Background jobs (queued work, schedules) stop while the API keeps answering.', '后台任务（队列、定时任务）停止，而 API 仍在响应。'),
    action: text('Read its journal in the node view; workers that cannot reach NATS exit or stop consuming.', '在节点视图中查看其日志；无法连接 NATS 的 worker 会退出或停止消费。'),
    fix: 'node-view',
  },
  unhealthy: {
    id: 'voms.unhealthy',
    severity: 'P1',
    title: text('The VOMS health check on {{host}} fails{{checks}}', '{{host}} 上的 VOMS 健康检查失败{{checks}}'),
    why: text('The server answers but cannot do its work.', '服务有响应但无法正常工作。'),
    action: restoreFirst,
    fix: 'node-view',
  },
  degraded: {
    id: 'voms.degraded',
    severity: 'P2',
    title: text('The VOMS health check on {{host}} is degraded{{checks}}', '{{host}} 上的 VOMS 健康检查为降级{{checks}}'),
    why: text('Part of VOMS depends on a failing component.', 'VOMS 的部分功能依赖的组件出现故障。'),
    action: restoreFirst,
    fix: 'node-view',
  },
  restartNotAlways: {
    id: 'voms.restart-not-always',
    severity: 'P3',
    title: text('{{unit}} has Restart={{restart}}: an OTA update will not restart it', '{{unit}} 的 Restart={{restart}}：OTA 更新后不会被重启'),
    why: text(
      'The OTA client replaces the binary and exits the server expecting systemd to start the new one; that only happens with Restart=always.',
      'OTA 客户端替换二进制后退出服务，依赖 systemd 启动新版本；只有 Restart=always 才会这样做。',
    ),
    action: text('Set Restart=always in a drop-in (systemctl edit {{unit}}), then systemctl daemon-reload.', '通过 drop-in 设置 Restart=always（systemctl edit {{unit}}），然后执行 systemctl daemon-reload。'),
    fix: 'none',
  },
  otaBackupMissing: {
    id: 'voms.ota-backup-missing',
    severity: 'P2',
    title: text('No OTA backup {{backup}} on {{host}}', '{{host}} 上没有 OTA 备份 {{backup}}'),
    why: text('If the next update is bad there is nothing to roll back to.', '如果下次更新有问题，将没有可回滚的版本。'),
    action: text('Copy the current, working binary to the backup path (cp -p {{binary}} {{backup}}).', '将当前可用的二进制复制到备份路径（cp -p {{binary}} {{backup}}）。'),
    fix: 'none',
  },
  badUpdate: {
    id: 'voms.bad-update',
    severity: 'P1',
    title: text('voms-server on {{host}} fails since its binary changed: roll back', '{{host}} 上的 voms-server 自二进制更新后一直故障：请回滚'),
    why: text(
      'The server is failing and {{binary}} was replaced within the last day, after its backup was taken: the update is the likely cause.',
      '服务出现故障，且 {{binary}} 在最近一天内、备份之后被替换：最可能的原因是本次更新。',
    ),
    action: text(
      'Roll back: stop voms-server, copy {{backup}} over {{binary}}, start it and wait for the health check.',
      '回滚：停止 voms-server，用 {{backup}} 覆盖 {{binary}}，启动后等待健康检查通过。',
    ),
    fix: 'rollback',
  },
  rollbackReverted: {
    id: 'voms.rollback-reverted',
    severity: 'P1',
    title: text(
      'The rollback of {{unit}} on {{host}} failed its health check and was undone: the failed build runs again',
      '{{host}} 上 {{unit}} 的回滚未通过健康检查，已撤销：故障版本重新运行',
    ),
    why: text(
      'Neither build is healthy: the build in place was failing, and the build the rollback restored failed its health gate too ({{gate}}), so the rollback put the failed build back as it was.',
      '两个版本都不健康：原版本已在故障中，回滚恢复的版本也未通过健康检查（{{gate}}），因此回滚按原样放回了故障版本。',
    ),
    action: text(
      'Compare both attempts in the evidence and read journalctl -u {{unit}} in the node view; roll back to the previous release directory if {{host}} has one, or install a known-good build by hand and check its SHA-256. This clears once {{host}} runs another build, voms-server is healthy again, or a later rollback of {{host}} succeeds.',
      '对比证据中的两次尝试，并在节点视图中查看 journalctl -u {{unit}}；如果 {{host}} 有上一个发布目录，则回滚到该目录，否则手动安装一个已知可用的版本并核对其 SHA-256。当 {{host}} 运行其他版本、voms-server 恢复健康或之后对 {{host}} 的回滚成功时，此问题自动消失。',
    ),
    fix: 'node-view',
  },
  postgresqlDown: {
    id: 'voms.postgresql-down',
    severity: 'P1',
    title: text('PostgreSQL is unreachable or down ({{detail}})', 'PostgreSQL 不可达或已停止（{{detail}}）'),
    why: text('VOMS keeps all its data in PostgreSQL: nothing works without it.', 'VOMS 的所有数据都在 PostgreSQL 中：它不可用时一切都无法工作。'),
    action: text('Start PostgreSQL first, check its log and disk, then restart voms-server and the workers.', '先启动 PostgreSQL，检查其日志和磁盘，然后重启 voms-server 和 worker。'),
    fix: 'staged-restart',
  },
  redisDown: {
    id: 'voms.redis-down',
    severity: 'P2',
    title: text('Redis is unreachable or down ({{detail}})', 'Redis 不可达或已停止（{{detail}}）'),
    why: text('Sessions, caches and locks live in Redis: logins and some pages fail.', '会话、缓存和锁都在 Redis 中：登录和部分页面会失败。'),
    action: text('Start Redis, then restart voms-server (staged restart, data stores first).', '启动 Redis，然后重启 voms-server（分批重启，数据存储优先）。'),
    fix: 'staged-restart',
  },
  natsDown: {
    id: 'voms.nats-down',
    severity: 'P2',
    title: text('NATS is unreachable or down ({{detail}})', 'NATS 不可达或已停止（{{detail}}）'),
    why: text('The workers consume their jobs from NATS: while it is down, queued work piles up and nothing is processed.', 'worker 从 NATS 消费任务：NATS 停止期间任务堆积且无法处理。'),
    action: text('Start NATS, check /healthz, then restart the workers so they reconnect.', '启动 NATS，检查 /healthz，然后重启 worker 使其重新连接。'),
    fix: 'staged-restart',
  },
  caddyDown: {
    id: 'voms.caddy-down',
    severity: 'P1',
    title: text('Caddy on {{host}} is {{state}}', '{{host}} 上的 Caddy 状态：{{state}}'),
    why: text('Caddy is the way in: while it is down nothing reaches the app, even if voms-server is fine.', 'Caddy 是访问入口：它停止时即使 voms-server 正常也无法访问应用。'),
    action: text('Check the Caddyfile (caddy validate) and that it proxies to the server port, then start it.', '检查 Caddyfile（caddy validate）及其代理端口是否指向服务端口，然后启动它。'),
    fix: 'node-view',
  },
} satisfies Record<string, FindingRule>;

/** A VOMS service's judged state on a host (failed and crash-looping by the one shared judgement). */
function verdictOn(host: HostSnapshot, service: string): ServiceVerdict | undefined {
  const unit = valueOf(host, vomsProbes.units)?.[service];
  return unit === undefined ? undefined : judgeService({ manager: 'systemd', unit }, probedAtMs(host));
}

function unitDownFindings(snapshot: ClusterSnapshot, service: string, role: Role, rule: FindingRule): Finding[] {
  return reachedWithRole(snapshot, role).flatMap((host) => {
    const verdict = verdictOn(host, service);
    if (verdict === undefined || !isDown(verdict.condition)) return [];
    return [
      raise(rule, {
        cluster: snapshot.cluster.name,
        subject: `${host.host.name}:${service}`,
        hosts: [host.host.name],
        params: { host: host.host.name, service, state: verdict.summary },
        evidence: verdict.evidence,
      }),
    ];
  });
}

const unitFindings = (snapshot: ClusterSnapshot): Finding[] => [
  ...unitDownFindings(snapshot, 'voms-server', 'voms', vomsRules.serverDown),
  ...unitDownFindings(snapshot, 'voms-worker-consumer', 'voms', vomsRules.workerDown),
  ...unitDownFindings(snapshot, 'voms-worker-scheduler', 'voms', vomsRules.workerDown),
  ...unitDownFindings(snapshot, 'caddy', 'caddy', vomsRules.caddyDown),
];

function failingChecks(host: HostSnapshot): string {
  const health = valueOf(host, vomsProbes.health);
  const failing = Object.entries(health?.checks ?? {}).filter(([, state]) => state !== 'ok');
  return failing.length === 0 ? '' : `: ${failing.map(([name, state]) => `${name} ${state}`).join(', ')}`;
}

function healthFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'voms').flatMap((host) => {
    const health = valueOf(host, vomsProbes.health);
    if (health === undefined || health.overall === 'ok') return [];
    const rule = health.overall === 'down' ? vomsRules.unhealthy : vomsRules.degraded;
    return [
      raise(rule, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, checks: failingChecks(host) },
        evidence: evidence(`GET ${VOMS_HEALTH_PATH}:\n${rawOf(host, vomsProbes.health)}`),
      }),
    ];
  });
}

function restartPolicyFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'voms').flatMap((host) => {
    const files = valueOf(host, vomsProbes.unitFile);
    const target = otaTargetOf(host.host);
    if (files === undefined || target === undefined || files.restart === 'always') return [];
    return [
      raise(vomsRules.restartNotAlways, {
        cluster: snapshot.cluster.name,
        subject: `${host.host.name}:${target.unit}`,
        hosts: [host.host.name],
        params: { host: host.host.name, unit: target.unit, restart: files.restart },
        evidence: evidence([
          `effective Restart=${files.restart}${files.restartSetIn === undefined ? ' (systemd default)' : ` (set in ${files.restartSetIn})`}`,
          `unit files: ${files.files.join(', ')}`,
        ]),
      }),
    ];
  });
}

interface OtaState {
  target: OtaTarget;
  binary?: FileStat;
  backup?: FileStat;
  backupMissing: boolean;
  binarySum?: string;
  backupSum?: string;
}

function otaStateOf(host: HostSnapshot): OtaState | undefined {
  const target = otaTargetOf(host.host);
  const files = valueOf(host, vomsProbes.otaFiles);
  if (target === undefined || files === undefined) return undefined;
  const sums = valueOf(host, vomsProbes.otaSums);
  const state: OtaState = { target, backupMissing: files.missing.includes(target.backup) };
  const binary = files.files.find((file) => file.path === target.binary);
  const backup = files.files.find((file) => file.path === target.backup);
  if (binary !== undefined) state.binary = binary;
  if (backup !== undefined) state.backup = backup;
  const binarySum = sums?.files.find((file) => file.path === target.binary)?.sha256;
  const backupSum = sums?.files.find((file) => file.path === target.backup)?.sha256;
  if (binarySum !== undefined) state.binarySum = binarySum;
  if (backupSum !== undefined) state.backupSum = backupSum;
  return state;
}

function otaEvidence(host: HostSnapshot): string[] {
  return [`stat:\n${rawOf(host, vomsProbes.otaFiles)}`, `sha256sum:\n${rawOf(host, vomsProbes.otaSums)}`];
}

function backupFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'voms').flatMap((host) => {
    const ota = otaStateOf(host);
    if (ota === undefined || !ota.backupMissing || ota.binary === undefined) return [];
    return [
      raise(vomsRules.otaBackupMissing, {
        cluster: snapshot.cluster.name,
        subject: `${host.host.name}:${ota.target.backup}`,
        hosts: [host.host.name],
        params: { host: host.host.name, backup: ota.target.backup, binary: ota.target.binary },
        evidence: evidence(rawOf(host, vomsProbes.otaFiles)),
      }),
    ];
  });
}

/**
 * A bad update: the server is failing (crash-looping, failed, or its health says down), a backup
 * exists that differs from the running binary, and the binary was replaced within the last day,
 * after the backup was taken. Rolling back is then the fastest way to restore service.
 */
function badUpdateFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'voms').flatMap((host) => {
    const ota = otaStateOf(host);
    if (ota?.binary === undefined || ota.backup === undefined) return [];
    const verdict = verdictOn(host, 'voms-server');
    const health = valueOf(host, vomsProbes.health);
    const crashing = verdict !== undefined && (verdict.condition === 'crash-looping' || verdict.condition === 'failed');
    const unhealthy = health?.overall === 'down';
    if (!crashing && !unhealthy) return [];
    if (ota.binarySum !== undefined && ota.binarySum === ota.backupSum) return [];
    const changedAtMs = ota.binary.modifiedEpochSeconds * 1000;
    const newerThanBackup = ota.binary.modifiedEpochSeconds >= ota.backup.modifiedEpochSeconds;
    const recent = probedAtMs(host) - changedAtMs <= RECENT_UPDATE_MS;
    if (!newerThanBackup || !recent) return [];
    const state = crashing ? verdict.summary : 'unhealthy';
    return [
      raise(vomsRules.badUpdate, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, state, binary: ota.target.binary, backup: ota.target.backup },
        evidence: evidence([
          ...(verdict === undefined ? [] : [verdict.evidence]),
          ...(unhealthy ? [`GET ${VOMS_HEALTH_PATH}: ${rawOf(host, vomsProbes.health)}`] : []),
          ...otaEvidence(host),
        ]),
      }),
    ];
  });
}

/** Which failing VOMS health check stands for which dependency. */
const checkPatterns: Record<'postgresql' | 'redis' | 'nats', RegExp> = {
  postgresql: /postgres|database|^db$|^pg/i,
  redis: /redis/i,
  nats: /nats|jetstream/i,
};

/** The dependency's own probe on its host (pg_isready, redis-cli ping, NATS /healthz), when it says "out". */
function ownProbeFailure(host: HostSnapshot, dependency: 'postgresql' | 'redis' | 'nats'): { check: string; raw: string } | undefined {
  switch (dependency) {
    case 'postgresql': {
      const state = valueOf(host, vomsProbes.pgReady)?.state;
      return state === 'no response' || state === 'rejecting' ? { check: 'pg_isready', raw: rawOf(host, vomsProbes.pgReady) } : undefined;
    }
    case 'redis':
      return valueOf(host, vomsProbes.redisPing)?.answering === false ? { check: 'redis-cli ping', raw: rawOf(host, vomsProbes.redisPing) } : undefined;
    case 'nats':
      return valueOf(host, vomsProbes.natsHealth)?.healthy === false ? { check: 'GET /healthz', raw: rawOf(host, vomsProbes.natsHealth) } : undefined;
  }
}

/**
 * One finding per dependency, from every signal that says it is out: its unit down, its own
 * probe (pg_isready, redis-cli ping, NATS /healthz) failing, or VOMS's health check naming it.
 */
function dependencyFindings(snapshot: ClusterSnapshot, dependency: 'postgresql' | 'redis' | 'nats', rule: FindingRule): Finding[] {
  const hosts = new Set<string>();
  const details: string[] = [];
  const lines: string[] = [];
  for (const host of reachedWithRole(snapshot, dependency)) {
    const name = host.host.name;
    const verdict = verdictOn(host, dependency);
    if (verdict !== undefined && isDown(verdict.condition)) {
      hosts.add(name);
      details.push(`${dependency} ${verdict.summary} on ${name}`);
      lines.push(verdict.evidence);
    }
    const probe = ownProbeFailure(host, dependency);
    if (probe !== undefined) {
      hosts.add(name);
      details.push(`${probe.check} failed on ${name}`);
      lines.push(`${name} ${probe.check}: ${probe.raw}`);
    }
  }
  for (const host of reachedWithRole(snapshot, 'voms')) {
    const health = valueOf(host, vomsProbes.health);
    for (const [check, state] of Object.entries(health?.checks ?? {})) {
      if (state !== 'down' || !checkPatterns[dependency].test(check)) continue;
      hosts.add(host.host.name);
      details.push(`VOMS health check "${check}" down on ${host.host.name}`);
      lines.push(`${host.host.name} ${check}: ${health?.errors[check] ?? state}`);
    }
  }
  if (hosts.size === 0) return [];
  return [
    raise(rule, {
      cluster: snapshot.cluster.name,
      subject: dependency,
      hosts: [...hosts],
      params: { detail: details.join('; ') },
      evidence: evidence(lines),
    }),
  ];
}

const dependencies = (snapshot: ClusterSnapshot): Finding[] => [
  ...dependencyFindings(snapshot, 'postgresql', vomsRules.postgresqlDown),
  ...dependencyFindings(snapshot, 'redis', vomsRules.redisDown),
  ...dependencyFindings(snapshot, 'nats', vomsRules.natsDown),
];

export const vomsProfile: StackProfile = {
  stack: 'voms',
  roles: ['voms', 'postgresql', 'redis', 'nats', 'caddy'],
  probes: Object.values(vomsProbes) as CommandProbe[],
  catalog: Object.values(vomsRules),
  rules: [unitFindings, healthFindings, restartPolicyFindings, backupFindings, badUpdateFindings, dependencies],
};
