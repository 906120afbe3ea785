import type { ClusterForm } from '../../../../shared/inventory/schema';
import type { LabHttpResponse } from '../../host/endpoints';
import { labBinary } from '../../host/lab-binary';
import type { LabContext, LabSystem } from '../../scenario';
import { createLabHost, inventoryHost } from '../rocketchat/hosts';
import { vernemqCommand, vmqAdminCommand } from './admin';
import { VernemqCluster, type VernemqTiming } from './cluster';
import {
  renderVernemqConf,
  VERNEMQ_BINARY,
  VERNEMQ_CONF,
  VERNEMQ_CONSOLE_LOG,
  VERNEMQ_ERTS,
  VERNEMQ_HTTP_PORT,
  VERNEMQ_PID_FILE,
  VERNEMQ_ROOT,
  VERNEMQ_UNIT,
  VERNEMQ_VERSION,
} from './config';

/**
 * A simulated 3-node VerneMQ 2.0 cluster (package install, systemd unit `vernemq`). It is a
 * SIMULATION; see README-systems.md.
 */

export interface VernemqOptions {
  /**
   * `healthy`: the three nodes form one cluster, no bridge.
   * `nonempty` (vernemq #2350): nodes 1 and 2 form the cluster; node 3 booted with
   * `plugins.vmq_bridge = on`, so its bridge made it non-empty and its join was refused.
   */
  state?: 'healthy' | 'nonempty';
  timing?: Partial<VernemqTiming>;
}

export interface VernemqSystem extends LabSystem {
  simulation: VernemqCluster;
}

const VERNEMQ_UID = 112;

export const vernemqHostName = (index: number): string => `vernemq-${index}`;
export const vernemqNodeName = (index: number): string => `VerneMQ@${vernemqHostName(index)}`;

const unitText = [
  '[Unit]',
  'Description=VerneMQ Server',
  'After=network.target',
  'Wants=network.target',
  '',
  '[Service]',
  'Type=forking',
  'User=vernemq',
  'Group=vernemq',
  `PIDFile=${VERNEMQ_PID_FILE}`,
  `ExecStart=${VERNEMQ_BINARY} start`,
  `ExecStop=${VERNEMQ_BINARY} stop`,
  'Restart=on-failure',
  'TimeoutStartSec=120',
  'LimitNOFILE=infinity',
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

const json = (status: number, body: unknown): LabHttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export async function buildVernemq(context: LabContext, options: VernemqOptions = {}): Promise<VernemqSystem> {
  const state = options.state ?? 'healthy';
  const simulation = new VernemqCluster(options.timing);
  const indexes = [1, 2, 3];
  const hosts = indexes.map((index) =>
    createLabHost(context, { name: vernemqHostName(index), systemUsers: [{ name: 'vernemq', uid: VERNEMQ_UID }], uptimeMs: (20 + index) * 86_400_000 }),
  );
  indexes.forEach((index, i) => {
    const host = hosts[i]!;
    const node = simulation.add(vernemqNodeName(index), host);
    const bridgePlugin = state === 'nonempty' && index === 3;
    host.vfs.mkdir('/etc/vernemq', { parents: true });
    host.vfs.writeFile(VERNEMQ_CONF, renderVernemqConf(node.name, { bridgePlugin }));
    host.vfs.mkdir(`${VERNEMQ_ROOT}/releases`, { parents: true });
    host.vfs.writeFile(`${VERNEMQ_ROOT}/releases/start_erl.data`, `${VERNEMQ_ERTS} ${VERNEMQ_VERSION}\n`);
    host.vfs.writeFile(VERNEMQ_BINARY, labBinary({ program: 'vernemq', version: VERNEMQ_VERSION, sizeBytes: 24 * 1024 }), { mode: 0o755 });
    for (const dir of ['/var/log/vernemq', '/var/lib/vernemq']) {
      host.vfs.mkdir(dir, { parents: true });
      host.vfs.chown(dir, { uid: VERNEMQ_UID, gid: VERNEMQ_UID });
    }
    host.vfs.writeFile(VERNEMQ_CONSOLE_LOG, '', { uid: VERNEMQ_UID, gid: VERNEMQ_UID });
    host.services.install({ name: VERNEMQ_UNIT, unitText, behaviour: simulation.behaviour(node.name) });
    host.commands.register('vmq-admin', vmqAdminCommand(simulation, node));
    host.commands.register('vernemq', vernemqCommand(node));
    host.http.register(
      VERNEMQ_HTTP_PORT,
      (request) => {
        if (request.path !== '/health') return { status: 404, body: '' };
        return node.members.length > 1 ? json(200, { status: 'OK' }) : json(503, { status: 'DOWN', reasons: ['Node has not joined cluster'] });
      },
      { listening: () => node.up },
    );
  });

  simulation.form(state === 'healthy' ? indexes.map(vernemqNodeName) : [vernemqNodeName(1), vernemqNodeName(2)]);
  hosts.forEach((host, i) => host.services.bootstrap(VERNEMQ_UNIT, host.clock.now() - (i === 2 && state === 'nonempty' ? 40 * 60_000 : (9 - i) * 86_400_000)));
  if (state === 'nonempty') {
    // The provisioning script tried to join node 3 right after it booted with the bridge on.
    simulation.join(simulation.node(vernemqNodeName(3)), vernemqNodeName(1));
  }

  const cluster: ClusterForm = {
    name: 'vernemq',
    environment: 'lab',
    simulated: true,
    stacks: ['generic', 'vernemq'],
    hosts: hosts.map((host, i) =>
      inventoryHost(context, {
        name: host.name,
        roles: ['vernemq'],
        services: [{ name: 'vernemq', kind: 'systemd', unit: 'vernemq' }],
        labels: { 'vernemq.nodename': vernemqNodeName(indexes[i]!) },
      }),
    ),
  };
  return { cluster, hosts, simulation };
}
