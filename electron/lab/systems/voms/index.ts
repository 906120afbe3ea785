import type { ClusterForm } from '../../../../shared/inventory/schema';
import { labBinary } from '../../host/lab-binary';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour } from '../../host/process';
import type { RestartPolicy } from '../../host/unit-file';
import type { LabContext, LabSystem } from '../../scenario';
import { createLabHost, inventoryHost } from '../rocketchat/hosts';
import {
  CADDYFILE,
  caddyfile,
  deployScript,
  VOMS_CONFIG,
  VOMS_DIR,
  VOMS_OTA_STATE,
  VOMS_PORTS,
  VOMS_RELEASE_PREV,
  VOMS_SERVER,
  VOMS_SERVER_BACKUP,
  VOMS_UNITS,
  VOMS_WORKER,
  vomsConfig,
  vomsServerBuild,
  VOMS_LICENSE,
  vomsWorkerBuild,
} from './layout';
import { caddyBehaviour, natsMonitor, pgIsready, redisCli, vomsServerBehaviour, vomsWorkerBehaviour } from './processes';

/**
 * A simulated VOMS host (one machine: server, two workers, PostgreSQL, Redis, NATS, Caddy under
 * systemd, working directory /opt/voms). It is a SIMULATION; see README-systems.md.
 */

export interface VomsOptions {
  /** `bad`: an OTA replaced /opt/voms/bin/server with 1.9.0, which reports an error and crash-loops. */
  ota?: 'none' | 'bad';
  /**
   * What /opt/voms/bin/server.bak holds: the previous good build, nothing, or another bad build
   * (1.9.0-rc.2: the OTA ran twice and backed up the first bad build), which crash-loops too.
   */
  backup?: 'good' | 'missing' | 'bad';
  /**
   * voms-server.service's Restart= (an OTA exit restarts the service only under `always`);
   * by default `always` for a good build and `on-failure` after the bad OTA.
   */
  restart?: Extract<RestartPolicy, 'always' | 'on-failure'>;
  /** The host's clock is off by this much (an unsynced clock). */
  clockSkewMs?: number;
}

export const VOMS_HOST = 'voms-1';

const users = { voms: 990, postgres: 105, redis: 106, nats: 991, caddy: 992 } as const;

function unitText(description: string, service: string[], after = 'network-online.target'): string {
  return ['[Unit]', `Description=${description}`, `After=${after}`, 'Wants=network-online.target', '', '[Service]', ...service, '', '[Install]', 'WantedBy=multi-user.target', ''].join('\n');
}

interface UnitSpec {
  unit: string;
  text: string;
  behaviour?: ProcessBehaviour;
}

export async function buildVoms(context: LabContext, options: VomsOptions = {}): Promise<LabSystem> {
  const ota = options.ota ?? 'none';
  const backup = options.backup ?? 'good';
  const host = createLabHost(context, {
    name: VOMS_HOST,
    systemUsers: Object.entries(users).map(([name, uid]) => ({ name, uid })),
    uptimeMs: 61 * 86_400_000,
  });
  host.clock.skewMs = options.clockSkewMs ?? 0;
  layOutFiles(host, ota, backup);

  const units: UnitSpec[] = [
    {
      unit: VOMS_UNITS.postgresql,
      text: unitText('PostgreSQL 15 database server', [
        'Type=notify',
        'User=postgres',
        'ExecStart=/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf',
        'Restart=on-failure',
      ]),
    },
    {
      unit: VOMS_UNITS.redis,
      text: unitText('Advanced key-value store', ['Type=notify', 'User=redis', 'ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd', 'Restart=always']),
    },
    {
      unit: VOMS_UNITS.nats,
      text: unitText('NATS Server', ['Type=simple', 'User=nats', 'ExecStart=/usr/local/bin/nats-server -c /etc/nats/nats.conf', 'Restart=on-failure']),
    },
    {
      unit: VOMS_UNITS.caddy,
      text: unitText('Caddy', ['Type=notify', 'User=caddy', `ExecStart=/usr/bin/caddy run --environ --config ${CADDYFILE}`, 'Restart=on-failure']),
      behaviour: caddyBehaviour(host),
    },
    {
      unit: VOMS_UNITS.server,
      text: unitText(
        'VOMS server',
        [
          'Type=simple',
          'User=voms',
          'Group=voms',
          `WorkingDirectory=${VOMS_DIR}`,
          'Environment=VOMS_ENV=production',
          `ExecStart=${VOMS_SERVER} --config ${VOMS_CONFIG}`,
          `Restart=${options.restart ?? (ota === 'bad' ? 'on-failure' : 'always')}`,
          'RestartSec=5s',
        ],
        'network-online.target postgresql.service redis.service nats.service',
      ),
      behaviour: vomsServerBehaviour(host),
    },
    ...(['consumer', 'scheduler'] as const).map((role) => ({
      unit: role === 'consumer' ? VOMS_UNITS.consumer : VOMS_UNITS.scheduler,
      text: unitText(
        `VOMS worker (${role})`,
        ['Type=simple', 'User=voms', 'Group=voms', `WorkingDirectory=${VOMS_DIR}`, `ExecStart=${VOMS_WORKER} ${role} --config ${VOMS_CONFIG}`, 'Restart=always', 'RestartSec=5s'],
        'network-online.target nats.service',
      ),
      behaviour: vomsWorkerBehaviour(host, role),
    })),
  ];
  for (const spec of units) host.services.install({ name: spec.unit, unitText: spec.text, behaviour: spec.behaviour });

  host.http.register(VOMS_PORTS.natsMonitor, natsMonitor(host), { listening: () => host.services.unit(VOMS_UNITS.nats).running });
  host.commands.register('redis-cli', redisCli(host));
  host.commands.register('pg_isready', pgIsready(host));

  const dayMs = 86_400_000;
  for (const spec of units) {
    if (spec.unit === VOMS_UNITS.server && ota === 'bad') continue;
    host.services.bootstrap(spec.unit, host.clock.now() - (spec.unit === VOMS_UNITS.server ? 6 : 61) * dayMs);
  }
  // The OTA build came up once and has crash-looped since.
  if (ota === 'bad') void host.services.start(VOMS_UNITS.server);

  const cluster: ClusterForm = {
    name: 'voms',
    environment: 'lab',
    simulated: true,
    stacks: ['generic', 'voms'],
    hosts: [
      inventoryHost(context, {
        name: VOMS_HOST,
        roles: ['voms', 'postgresql', 'redis', 'nats', 'caddy'],
        // The lab's server builds answer --version, as voms-server does: the rollback dialog shows both versions.
        // The server reads its license file at start: the license wizard puts it there and restarts the unit.
        labels: {
          'voms.versionFlag': 'true',
          'license.path': VOMS_LICENSE,
          'license.owner': 'voms:voms',
          'license.mode': '0640',
          'license.restartUnit': 'voms-server',
        },
        services: [
          { name: 'voms-server', kind: 'systemd', unit: 'voms-server' },
          { name: 'voms-worker-consumer', kind: 'systemd', unit: 'voms-worker-consumer' },
          { name: 'voms-worker-scheduler', kind: 'systemd', unit: 'voms-worker-scheduler' },
          { name: 'postgresql', kind: 'systemd', unit: 'postgresql' },
          { name: 'redis', kind: 'systemd', unit: 'redis' },
          { name: 'nats', kind: 'systemd', unit: 'nats' },
          { name: 'caddy', kind: 'systemd', unit: 'caddy' },
        ],
      }),
    ],
  };
  return { cluster, hosts: [host] };
}

function layOutFiles(host: LabHost, ota: 'none' | 'bad', backup: 'good' | 'missing' | 'bad'): void {
  const vfs = host.vfs;
  const owned = (path: string, uid: number) => {
    vfs.mkdir(path, { parents: true });
    vfs.chown(path, { uid, gid: uid });
  };
  vfs.mkdir(`${VOMS_DIR}/bin`, { parents: true });
  vfs.mkdir(`${VOMS_DIR}/ota`, { parents: true });
  vfs.mkdir(`${VOMS_DIR}/secrets`, { parents: true, mode: 0o750 });
  vfs.writeFile(`${VOMS_DIR}/secrets/jwt.key`, '(lab) not a real key\n', { mode: 0o640, gid: users.voms });
  vfs.writeFile(VOMS_CONFIG, vomsConfig());
  vfs.writeFile(VOMS_LICENSE, '# VOMS license (lab simulation)\ncustomer: Switchboard lab\nvalid-until: 2027-01-31\n', { mode: 0o640, uid: users.voms, gid: users.voms });
  const current = ota === 'bad' ? vomsServerBuild('bad') : vomsServerBuild('good');
  const previous = ota === 'bad' ? vomsServerBuild('good') : vomsServerBuild('previous');
  const minute = 60_000;
  const day = 86_400_000;
  const appliedAt = host.clock.now() - (ota === 'bad' ? 35 * minute : 6 * day);
  vfs.writeFile(VOMS_SERVER, current, { mode: 0o755 });
  vfs.utimes(VOMS_SERVER, { mtimeMs: appliedAt });
  if (backup !== 'missing') {
    // The OTA client backs the running build up with cp -p: the backup keeps the time that build was installed.
    vfs.writeFile(VOMS_SERVER_BACKUP, backup === 'bad' ? vomsServerBuild('bad-rc') : previous, { mode: 0o755 });
    vfs.utimes(VOMS_SERVER_BACKUP, { mtimeMs: backup === 'bad' ? appliedAt - 60 * minute : appliedAt - 34 * day });
  }
  vfs.writeFile(VOMS_WORKER, vomsWorkerBuild(), { mode: 0o755 });
  vfs.writeFile(
    VOMS_OTA_STATE,
    `${JSON.stringify(
      {
        from: ota === 'bad' ? '1.8.3' : '1.8.2',
        to: ota === 'bad' ? '1.9.0' : '1.8.3',
        appliedAt: new Date(appliedAt).toISOString(),
        sha256: vfs.sha256(VOMS_SERVER),
        backup: VOMS_SERVER_BACKUP,
      },
      null,
      2,
    )}\n`,
  );
  vfs.mkdir(`${VOMS_RELEASE_PREV}/bin`, { parents: true });
  vfs.writeFile(`${VOMS_RELEASE_PREV}/bin/server`, previous, { mode: 0o755 });
  vfs.writeFile(`${VOMS_RELEASE_PREV}/deploy.sh`, deployScript, { mode: 0o755 });

  const binaries: Array<[string, Parameters<typeof labBinary>[0]]> = [
    ['/usr/lib/postgresql/15/bin/postgres', { program: 'postgres', version: '15.10', startupMs: 1_200, readyLines: ['LOG:  database system is ready to accept connections'] }],
    ['/usr/bin/redis-server', { program: 'redis-server', version: '7.0.15', startupMs: 300, readyLines: ['* Ready to accept connections tcp'] }],
    ['/usr/local/bin/nats-server', { program: 'nats-server', version: '2.10.22', startupMs: 400, readyLines: ['[INF] Server is ready'] }],
    ['/usr/bin/caddy', { program: 'caddy', version: 'v2.8.4', startupMs: 300 }],
  ];
  for (const [path, spec] of binaries) {
    vfs.mkdir(path.slice(0, path.lastIndexOf('/')), { parents: true });
    vfs.writeFile(path, labBinary(spec), { mode: 0o755 });
  }
  owned('/var/lib/postgresql/15/main', users.postgres);
  owned('/var/lib/nats/jetstream', users.nats);
  owned('/var/lib/redis', users.redis);
  vfs.mkdir('/etc/postgresql/15/main', { parents: true });
  vfs.writeFile('/etc/postgresql/15/main/postgresql.conf', `listen_addresses = 'localhost'\nport = ${VOMS_PORTS.postgres}\nmax_connections = 100\n`);
  vfs.mkdir('/etc/redis', { parents: true });
  vfs.writeFile('/etc/redis/redis.conf', `bind 127.0.0.1 -::1\nport ${VOMS_PORTS.redis}\nsupervised systemd\n`);
  vfs.mkdir('/etc/nats', { parents: true });
  vfs.writeFile('/etc/nats/nats.conf', `port: ${VOMS_PORTS.nats}\nhttp_port: ${VOMS_PORTS.natsMonitor}\njetstream {\n  store_dir: /var/lib/nats\n}\n`);
  vfs.mkdir('/etc/caddy', { parents: true });
  vfs.writeFile(CADDYFILE, caddyfile(VOMS_PORTS.http));
}
