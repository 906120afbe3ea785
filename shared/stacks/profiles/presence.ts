import { raise, type Finding, type FindingRule } from '../findings';
import { parseRocketChatHealth } from '../parsers';
import { rawOf, valueOf, type ClusterSnapshot, type CommandProbe, type HostSnapshot, type StackProfile } from '../profile';
import { evidence, reachedWithRole, text } from './common';
import { rocketchatVersions } from './rocketchat';
import { dockerRun, httpProbe, serviceDownFindings, serviceStateProbe } from './service';
import { imageTag, sameVersion, versionEvidence, versionParts } from './versions';

/**
 * Rocket.Chat's presence micro-service (image `rocketchat/presence-service`). It usually runs
 * as a container, so without a `services` entry named `presence` the container `presence` is
 * inspected. Its `/health` listens on `PORT`, 3031 unless set (ee/apps/presence-service).
 */

export const PRESENCE_DEFAULT_PORT = 3031;

const presenceRun = () => dockerRun('presence', 'presence');

export const presenceProbes = {
  service: serviceStateProbe({ id: 'presence.service', role: 'presence', name: 'presence', fallback: presenceRun }),
  // Same answer as Rocket.Chat's own /health: `ok`, or 500 `not healthy`.
  health: httpProbe({
    id: 'presence.health',
    role: 'presence',
    name: 'presence',
    fallback: presenceRun,
    portLabel: 'presence.port',
    defaultPort: PRESENCE_DEFAULT_PORT,
    path: '/health',
    parse: parseRocketChatHealth,
  }),
};

export const presenceRules = {
  unitDown: {
    id: 'presence.unit-down',
    severity: 'P2',
    title: text('The presence service on {{host}} is {{state}}', '{{host}} 上的 presence 服务状态：{{state}}'),
    why: text('Without it users\' online status stops updating; chat itself keeps working.', '它停止后用户在线状态不再更新；聊天本身仍可使用。'),
    action: text('Read its log in the node view (MONGO_URL, TRANSPORTER and a unique instance id are the usual causes), then start it.', '在节点视图中查看日志（常见原因是 MONGO_URL、TRANSPORTER 或实例 ID 重复），然后启动它。'),
    fix: 'node-view',
  },
  unhealthy: {
    id: 'presence.unhealthy',
    severity: 'P2',
    title: text('The presence service on {{host}} reports itself unhealthy', '{{host}} 上的 presence 服务健康检查失败'),
    why: text('It cannot reach the other services over its transporter (NATS): online status goes stale.', '它无法通过传输层（NATS）联系其他服务：在线状态将停止更新。'),
    action: text('Check the TRANSPORTER URL and that NATS answers, then restart the presence service.', '检查 TRANSPORTER 地址以及 NATS 是否可用，然后重启 presence 服务。'),
    fix: 'node-view',
  },
  versionMismatch: {
    id: 'presence.version-mismatch',
    severity: 'P3',
    title: text('Presence runs a different version tag ({{presence}}) than Rocket.Chat ({{rocketchat}})', 'presence 的版本标签（{{presence}}）与 Rocket.Chat（{{rocketchat}}）不同'),
    why: text('There is no documented compatibility between versions: the presence service should run the same version tag as Rocket.Chat.', '两者之间没有公开的版本兼容表：presence 服务应与 Rocket.Chat 使用相同的版本标签。'),
    action: text('Move the presence container to the image tag of the Rocket.Chat version in use.', '将 presence 容器的镜像标签改为当前 Rocket.Chat 的版本。'),
    fix: 'staged-restart',
  },
} satisfies Record<string, FindingRule>;

function healthFindings(snapshot: ClusterSnapshot): Finding[] {
  return reachedWithRole(snapshot, 'presence').flatMap((host) =>
    valueOf(host, presenceProbes.health)?.healthy === false
      ? [
          raise(presenceRules.unhealthy, {
            cluster: snapshot.cluster.name,
            subject: host.host.name,
            hosts: [host.host.name],
            params: { host: host.host.name },
            evidence: evidence(`GET /health:\n${rawOf(host, presenceProbes.health)}`),
          }),
        ]
      : [],
  );
}

/** The presence service's version: its image tag (a unit has none to read). */
export function presenceVersionOf(host: HostSnapshot): string | undefined {
  const state = valueOf(host, presenceProbes.service);
  const tag = state?.manager === 'docker' ? imageTag(state.container.image) : undefined;
  return tag !== undefined && versionParts(tag) !== undefined ? tag : undefined;
}

/** Presence against the Rocket.Chat nodes of the same snapshot (read through the Rocket.Chat profile's facts). */
function versionFindings(snapshot: ClusterSnapshot): Finding[] {
  const rocketchat = rocketchatVersions(snapshot);
  if (rocketchat.length === 0) return [];
  return reachedWithRole(snapshot, 'presence').flatMap((host) => {
    const version = presenceVersionOf(host);
    if (version === undefined) return [];
    const differing = rocketchat.filter((node) => sameVersion(version, node.version) === false);
    if (differing.length === 0) return [];
    return [
      raise(presenceRules.versionMismatch, {
        cluster: snapshot.cluster.name,
        subject: host.host.name,
        hosts: [host.host.name],
        params: { host: host.host.name, presence: version, rocketchat: [...new Set(differing.map((node) => node.version))].join(', ') },
        evidence: evidence([`presence on ${host.host.name}: ${version} (from image tag)`, ...versionEvidence(rocketchat)]),
      }),
    ];
  });
}

const unitFindings = (snapshot: ClusterSnapshot) =>
  serviceDownFindings(snapshot, { role: 'presence', service: 'presence', probe: presenceProbes.service, rule: presenceRules.unitDown });

export const presenceProfile: StackProfile = {
  stack: 'presence',
  roles: ['presence'],
  probes: Object.values(presenceProbes) as CommandProbe[],
  catalog: Object.values(presenceRules),
  rules: [unitFindings, healthFindings, versionFindings],
  versionOf: presenceVersionOf,
};
