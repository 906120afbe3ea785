import { labBinary } from '../../host/lab-binary';
import type { LabContext, LabSystem } from '../../scenario';
import type { ClusterForm } from '../../../../shared/inventory/schema';
import { createLabHost, inventoryHost } from '../rocketchat/hosts';
import { wukongimApi } from './api';
import { WukongimCluster, type WukongimTiming } from './cluster';
import { wukongimCommand } from './command';
import {
  renderRemoteJson,
  renderWkYaml,
  WUKONGIM_BINARY,
  WUKONGIM_CONFIG,
  WUKONGIM_HOME,
  WUKONGIM_PID_FILE,
  WUKONGIM_PORTS,
  WUKONGIM_ROOT_DIR,
  WUKONGIM_UNIT,
  type ClusterConfig,
} from './config';

/**
 * A simulated WuKongIM cluster (nodes 1001, 1002, 1003), each node a lab host running the
 * `wukongim` unit from /home/wukongim. It is a SIMULATION; see README-systems.md.
 */

export const WUKONGIM_NODE_IDS = [1001, 1002, 1003] as const;
export const WUKONGIM_VERSIONS = { current: 'v2.1.2-20250120', previous: 'v2.0.10-20241203' } as const;

export interface WukongimOptions {
  /**
   * `healthy`: all three run v2.1.2 with one configuration.
   * `split` (issue #310): the upgrade put v2.1.2 on every host, but only 1002 and 1003 were restarted;
   * 1001 still runs v2.0.10 and, no longer understanding its peers, has dropped them from its
   * configuration: it sees only itself, they see it offline and elected a leader of their own.
   */
  state?: 'healthy' | 'split';
  timing?: Partial<WukongimTiming>;
}

export interface WukongimSystem extends LabSystem {
  simulation: WukongimCluster;
}

export const wukongimHostName = (id: number): string => `wukongim-${id}`;

const unitText = (id: number): string =>
  [
    '[Unit]',
    `Description=WuKongIM node ${id}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=forking',
    `PIDFile=${WUKONGIM_PID_FILE}`,
    `WorkingDirectory=${WUKONGIM_HOME}`,
    `ExecStart=${WUKONGIM_BINARY} --config ${WUKONGIM_CONFIG} -d`,
    `ExecStop=${WUKONGIM_BINARY} stop`,
    'Restart=on-failure',
    'RestartSec=5s',
    'LimitNOFILE=1048576',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');

function build(version: string): Buffer {
  const tag = version.split('-')[0]!;
  const date = version.split('-')[1] ?? '';
  return labBinary({
    program: 'wukongim',
    version,
    sizeBytes: 48 * 1024,
    extra: { gitTag: tag, buildDate: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` },
  });
}

export async function buildWukongim(context: LabContext, options: WukongimOptions = {}): Promise<WukongimSystem> {
  const state = options.state ?? 'healthy';
  const simulation = new WukongimCluster(options.timing);
  const hosts = WUKONGIM_NODE_IDS.map((id, index) => createLabHost(context, { name: wukongimHostName(id), uptimeMs: (40 + index) * 86_400_000 }));
  const byName = new Map(hosts.map((host) => [host.name, host]));
  const members = WUKONGIM_NODE_IDS.map((id) => ({ id, host: wukongimHostName(id), port: WUKONGIM_PORTS.cluster }));

  WUKONGIM_NODE_IDS.forEach((id, index) => {
    const host = hosts[index]!;
    const node = simulation.add(id, host);
    host.network.setResolver((name) => byName.get(name)?.http);
    host.vfs.mkdir(`${WUKONGIM_HOME}/logs`, { parents: true, mode: 0o755 });
    host.vfs.chmod(WUKONGIM_HOME, 0o755);
    host.vfs.writeFile(WUKONGIM_CONFIG, renderWkYaml(id, wukongimHostName, WUKONGIM_NODE_IDS));
    // The previous release stays beside the binary, as upgrade instructions have it.
    host.vfs.writeFile(`${WUKONGIM_HOME}/wukongim-${WUKONGIM_VERSIONS.previous.split('-')[0]}`, build(WUKONGIM_VERSIONS.previous), { mode: 0o755 });
    host.vfs.mkdir(`${WUKONGIM_ROOT_DIR}/cluster/config`, { parents: true });
    const lagging = state === 'split' && id === 1001;
    const config: ClusterConfig = lagging
      ? { version: 7, term: 4, nodes: members.filter((member) => member.id === 1001) }
      : { version: state === 'split' ? 6 : 3, term: state === 'split' ? 5 : 2, nodes: members };
    host.vfs.writeFile(`${WUKONGIM_ROOT_DIR}/cluster/config/remote.json`, renderRemoteJson(config));
    host.vfs.writeFile(WUKONGIM_BINARY, build(lagging ? WUKONGIM_VERSIONS.previous : WUKONGIM_VERSIONS.current), { mode: 0o755 });
    host.services.install({ name: WUKONGIM_UNIT, unitText: unitText(id), behaviour: simulation.behaviour(id) });
    host.http.register(WUKONGIM_PORTS.api, wukongimApi(simulation, id), { listening: () => node.apiListening });
    host.commands.register(WUKONGIM_BINARY, wukongimCommand(node));
  });

  const hourMs = 3_600_000;
  WUKONGIM_NODE_IDS.forEach((id, index) => {
    const host = hosts[index]!;
    const since = state === 'split' && id !== 1001 ? host.clock.now() - 25 * 60_000 : host.clock.now() - (72 + index) * hourMs;
    host.services.bootstrap(WUKONGIM_UNIT, since);
  });
  if (state === 'split') {
    // The upgrade replaced 1001's binary on disk (mv, as the running one is busy) without restarting it.
    const host = hosts[0]!;
    host.vfs.writeFile(`${WUKONGIM_BINARY}.new`, build(WUKONGIM_VERSIONS.current), { mode: 0o755 });
    host.vfs.rename(`${WUKONGIM_BINARY}.new`, WUKONGIM_BINARY);
  }

  const cluster: ClusterForm = {
    name: 'wukongim',
    environment: 'lab',
    simulated: true,
    stacks: ['generic', 'wukongim'],
    hosts: hosts.map((host) =>
      inventoryHost(context, {
        name: host.name,
        roles: ['wukongim'],
        services: [{ name: 'wukongim', kind: 'systemd', unit: 'wukongim' }],
        labels: { 'wukongim.config': WUKONGIM_CONFIG },
      }),
    ),
  };
  return { cluster, hosts, simulation };
}
