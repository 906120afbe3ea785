import { builtinCat, shellCommand } from '../../shell/quote';
import { raise, type Finding, type FindingRule } from '../findings';
import {
  parseDfPosix,
  parseEpochSeconds,
  parseLoadavg,
  parseMeminfo,
  parseProcUptime,
} from '../parsers';
import { rawOf, valueOf, type ClusterSnapshot, type CommandProbe, type StackProfile } from '../profile';

const text = (en: string, zh: string) => ({ en, 'zh-CN': zh });

export const hostProbes = {
  loadavg: {
    id: 'host.loadavg',
    inline: true,
    command: () => builtinCat('/proc/loadavg'),
    parse: (output) => parseLoadavg(output),
  },
  meminfo: {
    id: 'host.meminfo',
    inline: true,
    command: () => builtinCat('/proc/meminfo'),
    parse: (output) => parseMeminfo(output),
  },
  uptime: {
    id: 'host.uptime',
    inline: true,
    command: () => builtinCat('/proc/uptime'),
    parse: (output) => parseProcUptime(output),
  },
  clock: {
    id: 'host.clock',
    command: () => shellCommand(['date', '+%s']),
    parse: (output, exitCode) => parseEpochSeconds(output, exitCode ?? undefined),
  },
  disk: {
    id: 'host.disk',
    // df waits on a hung network mount.
    mayHang: true,
    command: () => shellCommand(['df', '-P']),
    parse: (output, exitCode) => parseDfPosix(output, exitCode ?? undefined),
  },
} satisfies Record<string, CommandProbe<unknown>>;

export const DISK_FULL_PERCENT = 90;
export const CLOCK_SKEW_LIMIT_SECONDS = 2;

export const genericRules = {
  unreachable: {
    id: 'host.unreachable',
    severity: 'P1',
    title: text('{{host}} cannot be reached over SSH', '无法通过 SSH 连接 {{host}}'),
    why: text(
      'Nothing on this host can be inspected or operated, and its services may be down with it.',
      '无法检查或操作此主机，其上的服务可能也已停止。',
    ),
    action: text(
      'Check that the host is up, the network path (and jump hosts) and that sshd listens on the configured port.',
      '检查主机是否开机、网络路径（含跳板机）以及 sshd 是否在配置的端口上监听。',
    ),
    fix: 'inventory',
  },
  authFailed: {
    id: 'host.auth-failed',
    severity: 'P1',
    title: text('SSH login to {{host}} was refused', '登录 {{host}} 的 SSH 认证被拒绝'),
    why: text('Switchboard cannot run anything on this host until it can log in.', '在能够登录之前，Switchboard 无法在此主机上执行任何操作。'),
    action: text(
      'Check the user, key, agent or password in the inventory; the evidence lists the methods the server offered.',
      '检查清单中的用户、密钥、agent 或密码；证据中列出了服务器提供的认证方式。',
    ),
    fix: 'inventory',
  },
  hostKeyUnknown: {
    id: 'host.host-key-unknown',
    severity: 'P2',
    title: text('The host key of {{host}} has not been approved', '{{host}} 的主机密钥尚未被批准'),
    why: text(
      'Switchboard never trusts a host key without the admin: the host is not contacted until its fingerprint is approved.',
      '未经管理员确认，Switchboard 绝不信任主机密钥：批准指纹之前不会连接此主机。',
    ),
    action: text(
      'Compare the fingerprint with the one the host reports (ssh-keygen -lf) and approve it in Host keys.',
      '将指纹与主机上 ssh-keygen -lf 的输出核对后，在“主机密钥”中批准。',
    ),
    fix: 'host-keys',
  },
  hostKeyChanged: {
    id: 'host.host-key-changed',
    severity: 'P1',
    title: text('The host key of {{host}} has CHANGED', '{{host}} 的主机密钥已变更'),
    why: text(
      'A changed key means the host was reinstalled, or someone is intercepting the connection. Switchboard refuses to connect.',
      '密钥变更意味着主机被重装，或者连接正被劫持。Switchboard 拒绝连接。',
    ),
    action: text(
      'Confirm the new fingerprint out of band (console, colleague); only then replace the key in Host keys.',
      '通过其他渠道（控制台、同事）确认新指纹后，才能在“主机密钥”中替换。',
    ),
    fix: 'host-keys',
  },
  diskFull: {
    id: 'host.disk-full',
    severity: 'P2',
    title: text('{{mount}} on {{host}} is {{percent}}% full', '{{host}} 上的 {{mount}} 已使用 {{percent}}%'),
    why: text(
      'A full disk stops databases, journals and uploads (a license or a rollback copy fails half-way).',
      '磁盘写满会导致数据库、日志和上传（许可证或回滚副本）中途失败。',
    ),
    action: text('Free space (old logs, releases, backups) before any operation on this host.', '在对此主机执行任何操作前先释放空间（旧日志、旧版本、备份）。'),
    fix: 'node-view',
  },
  clockSkew: {
    id: 'host.clock-skew',
    severity: 'P2',
    title: text('The clock of {{host}} is {{skew}} s off', '{{host}} 的时钟偏差 {{skew}} 秒'),
    why: text(
      'Skewed clocks break logins (401/403 on token checks), license validity and Raft timeouts.',
      '时钟偏差会导致登录失败（令牌校验 401/403）、许可证有效期判断错误以及 Raft 超时。',
    ),
    action: text('Check NTP/chrony on the host (timedatectl) and resync.', '检查主机上的 NTP/chrony（timedatectl）并重新同步。'),
    fix: 'node-view',
  },
  mongoUnreachable: {
    id: 'cluster.mongo-unreachable',
    severity: 'P1',
    title: text("The cluster's MongoDB cannot be reached", '无法连接集群的 MongoDB'),
    why: text(
      'Rocket.Chat nodes cannot start or write without it, and Switchboard cannot read licenses, settings or instances.',
      '没有它 Rocket.Chat 节点无法启动或写入，Switchboard 也无法读取许可证、设置和实例信息。',
    ),
    action: text(
      'Check mongod on its host, the URL and credentials in the inventory, and the SSH tunnel host if one is configured.',
      '检查所在主机上的 mongod、清单中的 URL 与凭据，以及（如已配置）SSH 隧道主机。',
    ),
    fix: 'inventory',
  },
} satisfies Record<string, FindingRule>;

function mongoFindings(snapshot: ClusterSnapshot): Finding[] {
  const mongo = snapshot.mongo;
  if (!mongo || mongo.reach.ok) return [];
  return [
    raise(genericRules.mongoUnreachable, {
      cluster: snapshot.cluster.name,
      subject: 'mongo',
      hosts: snapshot.cluster.mongo?.tunnelVia ? [snapshot.cluster.mongo.tunnelVia] : [],
      evidence: `${mongo.reach.code}: ${mongo.reach.message}`,
    }),
  ];
}

/**
 * What the host-key dialog needs from a refused key (the SSH layer's error details), as
 * finding params: the address and port the key belongs to, its type, both fingerprints
 * and the presented public key.
 */
function hostKeyParams(details: Record<string, unknown> | undefined): Record<string, string | number> {
  if (!details) return {};
  const params: Record<string, string | number> = {};
  for (const name of ['host', 'port', 'keyType', 'fingerprint', 'publicKey', 'presentedFingerprint', 'presentedPublicKey'] as const) {
    const value = details[name];
    if (typeof value === 'string' || typeof value === 'number') params[name === 'host' ? 'address' : name] = value;
  }
  const expected = details.expectedFingerprints;
  if (Array.isArray(expected)) params.knownFingerprints = expected.filter((f): f is string => typeof f === 'string').join(' ');
  return params;
}

function reachFindings(snapshot: ClusterSnapshot): Finding[] {
  const findings: Finding[] = [];
  for (const host of snapshot.hosts) {
    if (host.reach.ok) continue;
    const rule =
      host.reach.code === 'SSH_AUTH'
        ? genericRules.authFailed
        : host.reach.code === 'SSH_HOST_KEY_UNKNOWN'
          ? genericRules.hostKeyUnknown
          : host.reach.code === 'SSH_HOST_KEY_CHANGED'
            ? genericRules.hostKeyChanged
            : genericRules.unreachable;
    findings.push(
      raise(rule, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, ...hostKeyParams(host.reach.details) },
        evidence: `${host.reach.code}: ${host.reach.message}`,
      }),
    );
  }
  return findings;
}

function diskFindings(snapshot: ClusterSnapshot): Finding[] {
  const findings: Finding[] = [];
  for (const host of snapshot.hosts) {
    const disk = valueOf(host, hostProbes.disk);
    for (const fs of disk?.filesystems ?? []) {
      if ((fs.capacityPercent ?? 0) <= DISK_FULL_PERCENT) continue;
      const line = rawOf(host, hostProbes.disk)
        .split('\n')
        .filter((l) => l.startsWith('Filesystem') || l.endsWith(` ${fs.mountedOn}`))
        .join('\n');
      findings.push(
        raise(genericRules.diskFull, {
          cluster: snapshot.cluster.name,
          subject: `${host.host.name}:${fs.mountedOn}`,
          hosts: [host.host.name],
          params: { host: host.host.name, mount: fs.mountedOn, percent: fs.capacityPercent ?? 0 },
          evidence: line,
        }),
      );
    }
  }
  return findings;
}

/** Skew against the admin's clock, allowing for the time the probe took to come back. */
export function clockSkewSeconds(hostEpochSeconds: number, probedAtMs: number, roundTripMs = 0): number {
  const midpoint = probedAtMs + roundTripMs / 2;
  const skew = hostEpochSeconds - midpoint / 1000;
  // `date +%s` truncates to the second and the exec took roundTripMs: that much is not skew.
  const tolerance = 1 + roundTripMs / 2000;
  if (Math.abs(skew) <= tolerance) return 0;
  return Math.round((skew - Math.sign(skew) * tolerance) * 10) / 10;
}

function clockFindings(snapshot: ClusterSnapshot): Finding[] {
  const findings: Finding[] = [];
  for (const host of snapshot.hosts) {
    const epoch = valueOf(host, hostProbes.clock);
    if (epoch === undefined) continue;
    const skew = clockSkewSeconds(epoch, Date.parse(host.probedAt), host.roundTripMs);
    if (Math.abs(skew) <= CLOCK_SKEW_LIMIT_SECONDS) continue;
    findings.push(
      raise(genericRules.clockSkew, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, skew },
        evidence: `date +%s on ${host.host.name}: ${epoch}; admin clock at probe: ${Math.round(Date.parse(host.probedAt) / 1000)}`,
      }),
    );
  }
  return findings;
}

export const genericProfile: StackProfile = {
  stack: 'generic',
  roles: ['generic'],
  probes: Object.values(hostProbes) as CommandProbe[],
  catalog: Object.values(genericRules),
  rules: [reachFindings, mongoFindings, diskFindings, clockFindings],
};
