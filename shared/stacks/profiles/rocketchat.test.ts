import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import type { Finding } from '../findings';
import { rocketchatMongoProbes, rocketchatProbes, rocketchatProfile, scanRocketChatLog } from './rocketchat';
import { clusterSnapshot, curlOutput, findingsOf, hostSnapshot, syntheticJournal, syntheticUnitShow, unreachable, type ProbeOutput } from './testing';

const fixture = (name: string) => readFileSync(new URL(`../parsers/fixtures/${name}`, import.meta.url), 'utf8');

const host = (name: string, address: string, roles: Host['roles'], extra: Partial<Host> = {}): Host => ({
  name,
  address,
  port: 22,
  user: 'ops',
  roles,
  auth: { method: 'agent' },
  ...extra,
});
const nodes = ['rc1', 'rc2', 'rc3', 'rc4'].map((name, index) => host(name, `10.0.1.${index + 1}`, ['rocketchat']));
const lb = host('lb1', '10.0.0.10', ['haproxy']);
const db = host('db1', '10.0.0.20', ['mongodb']);
const cluster: Cluster = { name: 'chat', environment: 'production', stacks: ['generic', 'rocketchat'], hosts: [...nodes, lb, db], mongo: { url: 'mongodb://10.0.0.20:27017/rocketchat' } };
const probes = Object.values(rocketchatProbes);

const banner = ['+----------------------------------------+', '|             SERVER RUNNING             |', '|  Rocket.Chat Version: 7.0.3            |', '+----------------------------------------+'];

/** Real HAProxy 2.6 header and rc1 row (fixture), with the server renamed and readdressed: synthetic healthy backend. */
function healthyStat(): string {
  const lines = fixture('haproxy/show-stat-2.6-states.csv').split('\n');
  const header = lines[0]!;
  const rc1 = lines.find((line) => line.startsWith('rocketchat,rc1,'))!;
  const rows = nodes.map((node, index) => rc1.replace('rocketchat,rc1,', `rocketchat,${node.name},`).replace('127.0.0.1:18081', `10.0.1.${index + 1}:3000`));
  return [header, ...rows, ''].join('\n');
}

function nodeOutputs(node: Host, overrides: Record<string, ProbeOutput | string> = {}): Record<string, ProbeOutput | string> {
  return {
    'rocketchat.service': syntheticUnitShow({ id: 'rocketchat.service' }),
    'rocketchat.info': curlOutput(fixture('rocketchat/info-unauthenticated.synthetic.json'), 200),
    'rocketchat.health': curlOutput(fixture('rocketchat/health-ok.synthetic.txt'), 200),
    // Before 7.11, /readyz is answered by the web client: HTML, so unknown.
    'rocketchat.readyz': curlOutput('<!DOCTYPE html><html><head><title>Rocket.Chat</title></head></html>', 200),
    'rocketchat.log': syntheticJournal('rocketchat.service', [...banner, `Listening on ${node.address}:3000`]),
    ...overrides,
  };
}

interface Scenario {
  node?: Partial<Record<string, Record<string, ProbeOutput | string>>>;
  lb?: Record<string, ProbeOutput | string>;
  mongo?: Partial<Record<string, Record<string, unknown>[]>>;
  hosts?: Host[];
}

const healthyMongo = (): Record<string, Record<string, unknown>[]> => ({
  'rocketchat.settings': [
    { _id: 'Site_Url', value: 'https://chat.example.com' },
    { _id: 'Enterprise_License_Status', value: 'Valid' },
    { _id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: -1 },
  ],
  'rocketchat.license-set': [{ count: 1 }],
  'rocketchat.instances': nodes.map((node, index) => ({
    _id: `uuid-${index}`,
    name: 'rocket.chat',
    _updatedAt: new Date('2026-11-26T00:29:55Z'),
    extraInformation: { host: node.address, port: '3000', nodeVersion: '20.18.0', tcpPort: 40000 + index },
  })),
  'rocketchat.active-users': [{ count: 42 }],
});

function findings(scenario: Scenario = {}): Finding[] {
  const hosts = (scenario.hosts ?? cluster.hosts).map((h) => {
    if (h.roles.includes('rocketchat')) return hostSnapshot(cluster, h, probes, nodeOutputs(h, scenario.node?.[h.name]));
    if (h.roles.includes('haproxy')) return hostSnapshot(cluster, h, probes, { 'haproxy.service': syntheticUnitShow({ id: 'haproxy.service' }), 'haproxy.stat': healthyStat(), ...scenario.lb });
    return hostSnapshot(cluster, h, probes, { 'mongodb.service': syntheticUnitShow({ id: 'mongod.service' }) });
  });
  const documents = { ...healthyMongo(), ...scenario.mongo } as Record<string, Record<string, unknown>[]>;
  return findingsOf([rocketchatProfile], clusterSnapshot(cluster, hosts, { probes: rocketchatProfile.mongoProbes!, documents }));
}

const ids = (list: Finding[]) => list.map((finding) => finding.ruleId);

describe('Rocket.Chat profile', () => {
  it('finds nothing on a healthy cluster', () => {
    expect(findings()).toEqual([]);
  });

  it('raises a P1 read-only workspace (not also "license invalid") when the countdown is at 0', () => {
    const list = findings({
      mongo: {
        'rocketchat.settings': [
          { _id: 'Enterprise_License_Status', value: 'Invalid' },
          { _id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: 0 },
        ],
      },
    });
    expect(ids(list)).toEqual(['rocketchat.read-only']);
    expect(list[0]).toMatchObject({ severity: 'P1', fix: 'license-wizard', hosts: ['rc1', 'rc2', 'rc3', 'rc4'], params: { status: 'Invalid' } });
    expect(list[0]?.evidence).toContain('Cloud_Workspace_AirGapped_Restrictions_Remaining_Days: 0');
    expect(list[0]?.evidence).toContain('Enterprise_License: set');
  });

  it('reads the countdown in canonical Extended JSON too, and warns from 7 days', () => {
    const days = (value: unknown) => ({ 'rocketchat.settings': [{ _id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value }] });
    expect(findings({ mongo: days({ $numberInt: '0' }) })[0]?.ruleId).toBe('rocketchat.read-only');
    expect(findings({ mongo: days(7) })).toMatchObject([{ ruleId: 'rocketchat.airgap-countdown', severity: 'P2', params: { days: 7 } }]);
    expect(findings({ mongo: days(8) })).toEqual([]);
  });

  it('calls a stored license that Rocket.Chat rejected invalid (P2), but not a workspace that has none', () => {
    const invalid = { 'rocketchat.settings': [{ _id: 'Enterprise_License_Status', value: 'Invalid' }, { _id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: 9 }] };
    expect(findings({ mongo: invalid })).toMatchObject([{ ruleId: 'rocketchat.license-invalid', severity: 'P2', fix: 'license-wizard' }]);
    expect(findings({ mongo: { ...invalid, 'rocketchat.license-set': [{ count: 0 }] } })).toEqual([]);
  });

  it('says nothing about licenses when MongoDB answered with something it cannot read', () => {
    expect(findings({ mongo: { 'rocketchat.settings': [{ _id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: 'soon' }] } })).toEqual([]);
    expect(findings({ mongo: { 'rocketchat.settings': [] } })).toEqual([]);
  });

  it('finds the node that still refuses writes from its own log, and forgets it after a restart', () => {
    const refused = `{"level":50,"name":"API","msg":"Exception while invoking method sendMessage","err":{"message":"restricted-workspace"}}`;
    const list = findings({ node: { rc3: { 'rocketchat.log': syntheticJournal('rocketchat.service', [...banner, refused]) } } });
    expect(list).toMatchObject([{ ruleId: 'rocketchat.node-read-only', severity: 'P1', hosts: ['rc3'], fix: 'license-wizard' }]);
    expect(list[0]?.evidence).toContain('restricted-workspace');
    expect(findings({ node: { rc3: { 'rocketchat.log': syntheticJournal('rocketchat.service', [refused, ...banner]) } } })).toEqual([]);
    expect(scanRocketChatLog(['Restrictions applied', 'Restrictions removed']).restriction).toBe('removed');
  });

  it('finds a running node missing from instances (P2, staged restart)', () => {
    const instances = healthyMongo()['rocketchat.instances']!.slice(0, 3);
    const list = findings({ mongo: { 'rocketchat.instances': instances } });
    expect(list).toMatchObject([{ ruleId: 'rocketchat.not-in-instances', severity: 'P2', hosts: ['rc4'], params: { node: 'rc4' }, fix: 'staged-restart' }]);
    expect(list[0]?.evidence).toContain('instances (3):');
  });

  it('does not blame a node when the instance addresses simply do not match the inventory', () => {
    const renamed = healthyMongo()['rocketchat.instances']!.map((instance, index) => ({ ...instance, extraInformation: { host: `172.17.0.${index + 2}`, port: '3000' } }));
    expect(findings({ mongo: { 'rocketchat.instances': renamed } })).toEqual([]);
    const list = findings({ mongo: { 'rocketchat.instances': renamed.slice(0, 3) } });
    expect(list).toMatchObject([{ ruleId: 'rocketchat.not-in-instances', key: 'rocketchat.not-in-instances:chat:instances', hosts: ['rc1', 'rc2', 'rc3', 'rc4'], params: { node: '1 of rc1, rc2, rc3, rc4' } }]);
  });

  it('does not count a stopped node as absent from instances', () => {
    const stopped = { 'rocketchat.service': syntheticUnitShow({ id: 'rocketchat.service', active: 'inactive', sub: 'dead' }), 'rocketchat.info': { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 } };
    const list = findings({ node: { rc4: stopped }, mongo: { 'rocketchat.instances': healthyMongo()['rocketchat.instances']!.slice(0, 3) } });
    expect(ids(list)).toEqual(['rocketchat.unit-down']);
    expect(list[0]).toMatchObject({ severity: 'P1', params: { host: 'rc4', state: 'stopped' } });
  });

  it('reads every HAProxy server state of a real show stat', () => {
    const list = findings({ lb: { 'haproxy.stat': fixture('haproxy/show-stat-2.6-states.csv') } });
    const by = (rule: string) => list.filter((finding) => finding.ruleId === rule).map((finding) => finding.params.server ?? finding.params.backend);
    expect(by('haproxy.backend-down')).toEqual(['empty_backend']);
    expect(by('haproxy.server-down')).toEqual(['presence2', 'rc2']);
    expect(by('haproxy.server-maint')).toEqual(['rc4', 'rc6']);
    expect(by('haproxy.server-drain')).toEqual(['rc3', 'rc5']);
    const drained = list.find((finding) => finding.params.server === 'rc3')!;
    expect(drained).toMatchObject({ severity: 'P2', fix: 'staged-restart', hosts: ['lb1', 'rc3'], params: { status: 'DRAIN' } });
    expect(drained.evidence).toContain('rocketchat,rc3,DRAIN,L7OK');
    expect(list.find((finding) => finding.ruleId === 'haproxy.backend-down')).toMatchObject({ severity: 'P1', params: { backend: 'empty_backend' } });
  });

  it('raises one P1 when every server of the app backend is down, not one per server', () => {
    const allDown = healthyStat().replace(/,UP,/g, ',DOWN,');
    const list = findings({ lb: { 'haproxy.stat': allDown } });
    expect(list).toMatchObject([{ ruleId: 'haproxy.backend-down', severity: 'P1', hosts: ['lb1', 'rc1', 'rc2', 'rc3', 'rc4'], params: { backend: 'rocketchat' } }]);
  });

  it('finds version skew across nodes at the precision they share', () => {
    const newer = syntheticJournal('rocketchat.service', [banner[0]!, '|  Rocket.Chat Version: 7.1.0            |']);
    const list = findings({ node: { rc4: { 'rocketchat.log': newer } } });
    expect(list).toMatchObject([{ ruleId: 'rocketchat.version-skew', severity: 'P2', params: { versions: '7.0.3, 7.1.0' }, fix: 'staged-restart' }]);
    expect(list[0]?.evidence).toContain('rc4: 7.1.0 (from log banner)');
    // A node known only as "7.0" from /api/info agrees with "7.0.3" from a banner.
    expect(findings({ node: { rc2: { 'rocketchat.log': syntheticJournal('rocketchat.service', ['started']) } } })).toEqual([]);
  });

  it('raises a P1 for a node whose /health says unhealthy, with the answer as evidence', () => {
    const list = findings({ node: { rc2: { 'rocketchat.health': curlOutput('not healthy', 500) } } });
    expect(list).toMatchObject([{ ruleId: 'rocketchat.unhealthy', severity: 'P1', hosts: ['rc2'], fix: 'node-view' }]);
    expect(list[0]?.evidence).toBe('GET /health:\nnot healthy\n500');
    const ready = findings({ node: { rc2: { 'rocketchat.readyz': curlOutput(fixture('rocketchat/readyz-error-checks-map.synthetic.json'), 503) } } });
    expect(ready).toMatchObject([{ ruleId: 'rocketchat.unhealthy', hosts: ['rc2'] }]);
  });

  it('raises a P1 for a failed or crash-looping unit on app, HAProxy and MongoDB hosts', () => {
    const list = findings({
      node: { rc1: { 'rocketchat.service': syntheticUnitShow({ id: 'rocketchat.service', active: 'activating', sub: 'auto-restart', restarts: 12, result: 'exit-code' }) } },
      lb: { 'haproxy.service': syntheticUnitShow({ id: 'haproxy.service', active: 'failed', sub: 'failed', result: 'exit-code' }) },
    });
    expect(list.map((finding) => [finding.ruleId, finding.severity, finding.params.state])).toEqual([
      ['haproxy.unit-down', 'P1', 'failed (Result=exit-code)'],
      ['rocketchat.unit-down', 'P1', 'crash-looping (12 restarts, waiting to restart)'],
    ]);
  });

  it('never turns unknown output into a finding', () => {
    const notBooted = { output: fixture('systemd/not-booted.txt'), exitCode: 1 };
    const refused = { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 };
    const html = { output: fixture('health/haproxy-503-html-with-code.txt'), exitCode: 0 };
    const list = findings({
      node: Object.fromEntries(nodes.map((node) => [node.name, { 'rocketchat.service': notBooted, 'rocketchat.health': refused, 'rocketchat.readyz': html, 'rocketchat.info': html, 'rocketchat.log': { output: fixture('journal/no-journal-files.txt'), exitCode: 0 } }])),
      lb: { 'haproxy.stat': { output: fixture('haproxy/unknown-command.txt'), exitCode: 0 }, 'haproxy.service': notBooted },
    });
    expect(list).toEqual([]);
  });

  it('does not judge a host it could not reach (its absence from instances is the unreachable finding\'s story)', () => {
    const hosts = [...nodes.slice(0, 3).map((node) => hostSnapshot(cluster, node, probes, nodeOutputs(node))), unreachable(nodes[3]!)];
    const documents = { ...healthyMongo(), 'rocketchat.instances': healthyMongo()['rocketchat.instances']!.slice(0, 3) };
    expect(findingsOf([rocketchatProfile], clusterSnapshot(cluster, hosts, { probes: rocketchatProfile.mongoProbes!, documents }))).toEqual([]);
  });
});

describe('Rocket.Chat probes', () => {
  const target = (h: Host) => ({ cluster, host: h });

  it('builds the default commands', () => {
    expect(rocketchatProbes.info.command(target(nodes[0]!))).toBe("curl -s -m 5 -w '\n%{http_code}' http://localhost:3000/api/info");
    expect(rocketchatProbes.haproxyStat.command(target(lb))).toBe(`sh -c 'echo "show stat" | socat stdio "UNIX-CONNECT:$1"' sh /run/haproxy/admin.sock`);
    expect(rocketchatProbes.mongodbService.command(target(db))).toMatch(/systemctl show -p \S+ mongod$/);
    expect(rocketchatProbes.info.command(target(lb))).toBeUndefined();
    expect(rocketchatProbes.haproxyStat.command(target(nodes[0]!))).toBeUndefined();
  });

  it('takes the port and socket from labels, and refuses a port label that is not a port', () => {
    const labelled = { ...nodes[0]!, labels: { 'rocketchat.port': '3001' } };
    expect(rocketchatProbes.health.command(target(labelled))).toContain('http://localhost:3001/health');
    const hostile = { ...nodes[0]!, labels: { 'rocketchat.port': '3000; touch /tmp/x' } };
    expect(rocketchatProbes.health.command(target(hostile))).toBeUndefined();
    const socket = { ...lb, labels: { 'haproxy.socket': "/run/ha proxy/it's.sock" } };
    expect(rocketchatProbes.haproxyStat.command(target(socket))).toBe(`sh -c 'echo "show stat" | socat stdio "UNIX-CONNECT:$1"' sh '/run/ha proxy/it'\\''s.sock'`);
  });

  it('asks MongoDB only whether a license is stored, never for its text', () => {
    const probe = rocketchatMongoProbes.licenseSet;
    expect(probe).toMatchObject({ collection: 'rocketchat_settings', count: true, filter: { _id: 'Enterprise_License' } });
    expect('projection' in probe).toBe(false);
    expect(rocketchatMongoProbes.settings.filter._id.$in).not.toContain('Enterprise_License');
    expect(rocketchatMongoProbes.licenseSet.parse([{ count: 1 }])).toEqual({ status: 'ok', value: true });
  });

  it('counts active users the way Rocket.Chat does for license limits', () => {
    expect(rocketchatMongoProbes.activeUsers.filter).toEqual({
      active: true,
      roles: { $ne: ['guest'] },
      type: { $nin: ['app', 'bot'] },
      federated: { $ne: true },
      isRemote: { $ne: true },
    });
    expect(rocketchatMongoProbes.activeUsers.parse([{ count: 42 }])).toEqual({ status: 'ok', value: 42 });
    expect(rocketchatMongoProbes.activeUsers.parse([])).toMatchObject({ status: 'unknown' });
  });

  it('reads instances with dates from the driver and ports as strings', () => {
    const parsed = rocketchatMongoProbes.instances.parse(healthyMongo()['rocketchat.instances']!);
    expect(parsed).toMatchObject({ status: 'ok', value: [{ id: 'uuid-0', host: '10.0.1.1', port: 3000, nodeVersion: '20.18.0', updatedAt: '2026-11-26T00:29:55.000Z' }, {}, {}, {}] });
  });
});
