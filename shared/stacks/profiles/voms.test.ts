import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import type { Finding } from '../findings';
import { otaTargetOf, parsePgIsReady, parseRedisPing, vomsProbes, vomsProfile } from './voms';
import { clusterSnapshot, curlOutput, findingsOf, hostSnapshot, syntheticJournal, syntheticUnitShow, type ProbeOutput } from './testing';

const fixture = (name: string) => readFileSync(new URL(`../parsers/fixtures/${name}`, import.meta.url), 'utf8');

const voms: Host = { name: 'voms1', address: '10.0.9.1', port: 22, user: 'ops', roles: ['voms', 'postgresql', 'redis', 'nats', 'caddy'], auth: { method: 'agent' } };
const cluster: Cluster = { name: 'voms', environment: 'production', stacks: ['generic', 'voms'], hosts: [voms] };
const probes = Object.values(vomsProbes);

// The probe runs at 00:30 UTC; units started at 00:10.
const probedAt = '2026-11-26T00:30:00.000Z';
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

type UnitOverrides = Partial<Record<string, Parameters<typeof syntheticUnitShow>[0]>>;

/** Synthetic `systemctl show` of every VOMS unit in the order the probe asks (redis and nats under both names). */
function units(overrides: UnitOverrides = {}): string {
  const order = ['voms-server', 'voms-worker-consumer', 'voms-worker-scheduler', 'postgresql', 'redis', 'redis-server', 'nats', 'nats-server', 'caddy'];
  // Debian names: redis.service is an alias of redis-server.service; nats ships as nats-server.
  const defaults: Record<string, Parameters<typeof syntheticUnitShow>[0]> = {
    redis: { id: 'redis-server.service' },
    nats: { id: 'nats.service', load: 'not-found', active: 'inactive', sub: 'dead' },
  };
  return order.map((name) => syntheticUnitShow({ id: `${name}.service`, ...defaults[name], ...overrides[name] })).join('\n');
}

const statLine = (path: string, mtime: string, size = 41943040) => `${size} 755 voms voms ${epoch(mtime)} ${path}`;
const healthyStat = `${statLine('/opt/voms/bin/server', '2026-11-20T08:00:00Z')}\n${statLine('/opt/voms/bin/server.bak', '2026-11-20T07:59:58Z')}\n`;
const sums = (binary: string, backup: string) => `${binary.repeat(64)}  /opt/voms/bin/server\n${backup.repeat(64)}  /opt/voms/bin/server.bak\n`;

function outputs(overrides: Record<string, ProbeOutput | string> = {}, unitOverrides: UnitOverrides = {}): Record<string, ProbeOutput | string> {
  return {
    'voms.units': units(unitOverrides),
    'voms.unit-file': fixture('systemd/cat-with-drop-in.txt'),
    'voms.health': curlOutput(fixture('health/voms-health-ok.synthetic.json'), 200),
    'voms.nats-health': fixture('health/nats-healthz-ok-with-code.txt'),
    'voms.pg-ready': '/var/run/postgresql:5432 - accepting connections\n',
    'voms.redis-ping': 'PONG\n',
    'voms.ota-files': healthyStat,
    'voms.ota-sums': sums('a', 'b'),
    'voms.log': syntheticJournal('voms-server.service', ['voms-server listening on :8181']),
    ...overrides,
  };
}

function findings(overrides: Record<string, ProbeOutput | string> = {}, unitOverrides: UnitOverrides = {}): Finding[] {
  return findingsOf([vomsProfile], clusterSnapshot(cluster, [hostSnapshot(cluster, voms, probes, outputs(overrides, unitOverrides), probedAt)]));
}

const crashLooping = { id: 'voms-server.service', active: 'activating', sub: 'auto-restart', restarts: 6, result: 'exit-code', started: 'Thu 2026-11-26 00:29:50 UTC' };
const updatedToday = `${statLine('/opt/voms/bin/server', '2026-11-26T00:25:00Z')}\n${statLine('/opt/voms/bin/server.bak', '2026-11-26T00:24:58Z')}\n`;

describe('VOMS profile', () => {
  it('finds nothing on a healthy host (Restart=always from the real drop-in)', () => {
    expect(findings()).toEqual([]);
  });

  it('diagnoses a bad OTA update: crash-looping server, new binary, differing backup → rollback', () => {
    const list = findings({ 'voms.ota-files': updatedToday }, { 'voms-server': crashLooping });
    expect(list.map((finding) => [finding.ruleId, finding.severity, finding.fix])).toEqual([
      ['voms.bad-update', 'P1', 'rollback'],
      ['voms.server-down', 'P1', 'node-view'],
    ]);
    const bad = list[0]!;
    expect(bad.params).toMatchObject({ host: 'voms1', binary: '/opt/voms/bin/server', backup: '/opt/voms/bin/server.bak', state: expect.stringContaining('crash-looping') });
    expect(bad.evidence).toContain('SubState=auto-restart');
    expect(bad.evidence).toContain(`${epoch('2026-11-26T00:25:00Z')} /opt/voms/bin/server`);
  });

  it('also calls it a bad update when the server answers but its health says down', () => {
    const down = curlOutput('{"status":"down","checks":{"database":"ok","migrations":{"status":"fail","error":"dirty migration 42"}}}', 503);
    const list = findings({ 'voms.ota-files': updatedToday, 'voms.health': down });
    expect(list.map((finding) => finding.ruleId)).toEqual(['voms.bad-update', 'voms.unhealthy']);
    expect(list[1]?.params.checks).toBe(': migrations down');
  });

  it('offers no rollback when the backup is the same binary, or when there is none (then the backup finding)', () => {
    expect(findings({ 'voms.ota-files': updatedToday, 'voms.ota-sums': sums('a', 'a') }, { 'voms-server': crashLooping }).map((f) => f.ruleId)).toEqual(['voms.server-down']);
    const noBackup = findings(
      {
        'voms.ota-files': { output: `${statLine('/opt/voms/bin/server', '2026-11-26T00:25:00Z')}\n${fixture('host/stat-missing.txt')}`, exitCode: 1 },
        'voms.ota-sums': { output: `${'a'.repeat(64)}  /opt/voms/bin/server\n${fixture('host/sha256sum-missing.txt')}`, exitCode: 1 },
      },
      { 'voms-server': crashLooping },
    );
    expect(noBackup.map((finding) => [finding.ruleId, finding.severity])).toEqual([
      ['voms.server-down', 'P1'],
      ['voms.ota-backup-missing', 'P2'],
    ]);
  });

  it('does not blame an update of weeks ago, nor a binary older than its backup, for a server that fails today', () => {
    const weeksAgo = `${statLine('/opt/voms/bin/server', '2026-11-01T08:00:00Z')}\n${statLine('/opt/voms/bin/server.bak', '2026-10-01T08:00:00Z')}\n`;
    expect(findings({ 'voms.ota-files': weeksAgo }, { 'voms-server': crashLooping }).map((f) => f.ruleId)).toEqual(['voms.server-down']);
    const backupNewer = `${statLine('/opt/voms/bin/server', '2026-11-26T00:25:00Z')}\n${statLine('/opt/voms/bin/server.bak', '2026-11-26T00:28:00Z')}\n`;
    expect(findings({ 'voms.ota-files': backupNewer }, { 'voms-server': crashLooping }).map((f) => f.ruleId)).toEqual(['voms.server-down']);
  });

  it('raises a P3 when the OTA-restarted unit has Restart=on-failure', () => {
    const fragmentOnly = fixture('systemd/cat-with-drop-in.txt').split('\n\n# /etc/systemd/user/')[0]!;
    const list = findings({ 'voms.unit-file': `${fragmentOnly}\n` });
    expect(list).toMatchObject([{ ruleId: 'voms.restart-not-always', severity: 'P3', params: { unit: 'voms-server', restart: 'on-failure' } }]);
    expect(list[0]?.evidence).toContain('effective Restart=on-failure (set in /etc/xdg/systemd/user/voms-server.service)');
  });

  it('raises a P2 for a failed worker, a P1 for Caddy down', () => {
    const list = findings({}, { 'voms-worker-scheduler': { id: 'voms-worker-scheduler.service', active: 'failed', sub: 'failed', result: 'exit-code' }, caddy: { id: 'caddy.service', active: 'inactive', sub: 'dead' } });
    expect(list.map((finding) => [finding.ruleId, finding.severity, finding.params.state])).toEqual([
      ['voms.caddy-down', 'P1', 'stopped'],
      ['voms.worker-down', 'P2', 'failed (Result=exit-code)'],
    ]);
  });

  it('raises Redis down (P2) from the degraded health answer and redis-cli, with the workers note', () => {
    const list = findings({
      'voms.health': curlOutput(fixture('health/voms-health-degraded.synthetic.json'), 200),
      'voms.redis-ping': { output: 'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n', exitCode: 1 },
    });
    expect(list.map((finding) => [finding.ruleId, finding.severity])).toEqual([
      ['voms.degraded', 'P2'],
      ['voms.redis-down', 'P2'],
    ]);
    const redis = list[1]!;
    expect(redis.params.detail).toBe('redis-cli ping failed on voms1; VOMS health check "redis" down on voms1');
    expect(redis.evidence).toContain('dial tcp 127.0.0.1:6379: connect: connection refused');
  });

  it('raises NATS down (P2) from its /healthz, PostgreSQL down (P1) from pg_isready', () => {
    const list = findings({
      'voms.nats-health': fixture('health/nats-healthz-unavailable-with-code.txt'),
      'voms.pg-ready': { output: '/var/run/postgresql:5432 - no response\n', exitCode: 2 },
    });
    expect(list.map((finding) => [finding.ruleId, finding.severity])).toEqual([
      ['voms.postgresql-down', 'P1'],
      ['voms.nats-down', 'P2'],
    ]);
    expect(list[1]?.evidence).toContain('JetStream has not established contact with a meta leader');
  });

  it('raises PostgreSQL down from its unit too, and finds Redis under its Debian unit name', () => {
    const list = findings({}, { postgresql: { id: 'postgresql.service', active: 'failed', sub: 'failed', result: 'exit-code' }, redis: { id: 'redis-server.service', active: 'activating', sub: 'auto-restart', restarts: 4 } });
    expect(list.map((finding) => [finding.ruleId, finding.params.detail])).toEqual([
      ['voms.postgresql-down', 'postgresql failed (Result=exit-code) on voms1'],
      ['voms.redis-down', 'redis crash-looping (4 restarts, waiting to restart) on voms1'],
    ]);
  });

  it('never turns unknown output into a finding', () => {
    const notBooted = { output: fixture('systemd/not-booted.txt'), exitCode: 1 };
    const refused = { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 };
    const notFound = { output: fixture('shell/dash-not-found.txt'), exitCode: 127 };
    const list = findings({
      'voms.units': notBooted,
      'voms.unit-file': notBooted,
      'voms.health': refused,
      'voms.nats-health': { output: fixture('health/nats-404-with-code.txt'), exitCode: 0 },
      'voms.pg-ready': notFound,
      'voms.redis-ping': notFound,
      'voms.ota-files': { output: "stat: cannot statx '/opt/voms/bin/server': Permission denied\n", exitCode: 1 },
    });
    expect(list).toEqual([]);
  });
});

describe('VOMS probes', () => {
  it('reads every unit of the host in one systemctl show, in UTC', () => {
    expect(vomsProbes.units.command({ cluster, host: voms })).toBe(
      `env TZ=UTC systemctl show -p Id,ActiveState,SubState,MainPID,NRestarts,ExecMainStartTimestamp,Restart,FragmentPath,Result,UnitFileState,LoadState voms-server voms-worker-consumer voms-worker-scheduler postgresql redis redis-server nats nats-server caddy`,
    );
    const dbOnly: Host = { ...voms, roles: ['postgresql'], services: [{ name: 'postgresql', kind: 'systemd', unit: 'postgresql@15-main' }] };
    expect(vomsProbes.units.command({ cluster, host: dbOnly })).toMatch(/ postgresql@15-main$/);
    expect(vomsProbes.unitFile.command({ cluster, host: dbOnly })).toBeUndefined();
  });

  it('describes the OTA target for the rollback feature, from labels with quoting', () => {
    expect(otaTargetOf(voms)).toEqual({
      unit: 'voms-server',
      binary: '/opt/voms/bin/server',
      backup: '/opt/voms/bin/server.bak',
      healthUrl: 'http://localhost:8181/api/v1/public/system/health',
    });
    const labelled: Host = { ...voms, labels: { 'voms.binary': "/opt/voms 2/bin/it's", 'voms.port': '9181' } };
    expect(otaTargetOf(labelled)).toMatchObject({ binary: "/opt/voms 2/bin/it's", backup: "/opt/voms 2/bin/it's.bak", healthUrl: 'http://localhost:9181/api/v1/public/system/health' });
    expect(vomsProbes.otaFiles.command({ cluster, host: labelled })).toBe(`stat -c '%s %a %U %G %Y %n' '/opt/voms 2/bin/it'\\''s' '/opt/voms 2/bin/it'\\''s.bak'`);
    expect(otaTargetOf({ ...voms, roles: ['redis'] })).toBeUndefined();
  });

  it('reads pg_isready and redis-cli answers', () => {
    expect(parsePgIsReady('/var/run/postgresql:5432 - rejecting connections\n', 1)).toEqual({ status: 'ok', value: { state: 'rejecting' } });
    expect(parsePgIsReady('sh: 1: pg_isready: not found\n', 127)).toMatchObject({ status: 'unknown' });
    expect(parseRedisPing('NOAUTH Authentication required.\n', 0)).toMatchObject({ status: 'ok', value: { answering: true } });
    expect(parseRedisPing('Error: Server closed the connection\n', 1)).toMatchObject({ status: 'unknown' });
  });
});
