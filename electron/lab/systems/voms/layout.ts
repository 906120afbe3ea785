import { labBinary, type LabBinarySpec } from '../../host/lab-binary';

/**
 * Where a VOMS host keeps things (FIELD-NOTES §4) and the builds the lab ships (a SIMULATION).
 * A build is a lab binary: its manifest carries the version, whether the health endpoint
 * reports an error, and whether (and how) the process crashes.
 */

export const VOMS_DIR = '/opt/voms';
export const VOMS_SERVER = `${VOMS_DIR}/bin/server`;
export const VOMS_SERVER_BACKUP = `${VOMS_DIR}/bin/server.bak`;
export const VOMS_WORKER = `${VOMS_DIR}/bin/worker`;
export const VOMS_CONFIG = `${VOMS_DIR}/config.production.json`;
/** The lab's stand-in for a license the server reads at start (its format is the service's own). */
export const VOMS_LICENSE = `${VOMS_DIR}/license.lic`;
export const VOMS_OTA_STATE = `${VOMS_DIR}/ota/last-update.json`;
export const VOMS_RELEASE_PREV = '/opt/voms-release-prev';
export const VOMS_HEALTH_PATH = '/api/v1/public/system/health';
export const CADDYFILE = '/etc/caddy/Caddyfile';

export const VOMS_PORTS = { http: 8181, postgres: 5432, redis: 6379, nats: 4222, natsMonitor: 8222, caddy: 80 } as const;

export const VOMS_UNITS = {
  server: 'voms-server.service',
  consumer: 'voms-worker-consumer.service',
  scheduler: 'voms-worker-scheduler.service',
  postgresql: 'postgresql.service',
  redis: 'redis.service',
  nats: 'nats.service',
  caddy: 'caddy.service',
} as const;

const migration = '20250301120000_device_groups';

/**
 * The server builds: the good ones come up and stay; the bad OTA build (1.9.0) reports an error,
 * then panics; `bad-rc` (1.9.0-rc.2, an earlier build of the same bad update) fails the same way
 * sooner, with its own error, so the two failed attempts of a rollback can be told apart.
 */
export function vomsServerBuild(kind: 'good' | 'previous' | 'bad' | 'bad-rc'): Buffer {
  const spec: LabBinarySpec =
    kind === 'bad'
      ? {
          program: 'voms-server',
          version: '1.9.0',
          health: 'error',
          startupMs: 1_200,
          crash: {
            afterMs: 20_000,
            status: 2,
            lines: [
              'panic: runtime error: invalid memory address or nil pointer dereference',
              '[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x1a2b3c4]',
              'goroutine 87 [running]:',
              'voms/internal/ota.(*Manager).heartbeat(0x0)',
            ],
          },
          extra: { migrationError: `migration ${migration} failed: pq: column "group_id" of relation "devices" already exists` },
        }
      : kind === 'bad-rc'
        ? {
            program: 'voms-server',
            version: '1.9.0-rc.2',
            health: 'error',
            startupMs: 1_000,
            crash: {
              afterMs: 8_000,
              status: 1,
              lines: [`FATAL voms/internal/migrate: dirty database version ${migration.slice(0, 14)}. Fix and force version.`],
            },
            extra: { migrationError: `migration ${migration} failed: pq: relation "device_groups" does not exist` },
          }
        : { program: 'voms-server', version: kind === 'good' ? '1.8.3' : '1.8.2', health: 'ok', startupMs: 1_500 };
  return labBinary({ ...spec, sizeBytes: 96 * 1024, versionOutput: `voms-server ${spec.version}` });
}

export const vomsWorkerBuild = (): Buffer =>
  labBinary({ program: 'voms-worker', version: '1.8.3', startupMs: 600, sizeBytes: 64 * 1024, versionOutput: 'voms-worker 1.8.3' });

export function vomsConfig(): string {
  return `${JSON.stringify(
    {
      env: 'production',
      http: { host: '127.0.0.1', port: VOMS_PORTS.http },
      database: { url: `postgres://voms@127.0.0.1:${VOMS_PORTS.postgres}/voms?sslmode=disable`, maxOpenConns: 20 },
      redis: { addr: `127.0.0.1:${VOMS_PORTS.redis}`, db: 0 },
      nats: { url: `nats://127.0.0.1:${VOMS_PORTS.nats}`, stream: 'VOMS_EVENTS' },
      auth: { jwtKeyFile: `${VOMS_DIR}/secrets/jwt.key`, tokenTtl: '12h', superAdmin: 'admin@voms.local' },
      ota: { server: 'https://ota.voms.example/api/v1', channel: 'stable', verifySignature: true },
    },
    null,
    2,
  )}\n`;
}

export function caddyfile(upstreamPort: number): string {
  return `voms.lab.local, :${VOMS_PORTS.caddy} {\n\tencode gzip\n\treverse_proxy 127.0.0.1:${upstreamPort}\n}\n`;
}

/** Reads the upstream port of the first `reverse_proxy` (what the lab's Caddy proxies to). */
export function caddyUpstreamPort(text: string): number | undefined {
  const match = /reverse_proxy\s+(?:https?:\/\/)?[\w.-]+:(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The previous release's deploy script (the runbook's "release rollback"). */
export const deployScript = `#!/bin/sh
# Deploys this release (${VOMS_RELEASE_PREV}) into ${VOMS_DIR}: stop, copy the server, start.
systemctl stop voms-server && cp ${VOMS_RELEASE_PREV}/bin/server ${VOMS_SERVER} && systemctl start voms-server
`;
