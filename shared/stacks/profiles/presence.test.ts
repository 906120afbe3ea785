import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import { presenceProbes, presenceProfile } from './presence';
import { rocketchatProbes, rocketchatProfile } from './rocketchat';
import { clusterSnapshot, curlOutput, findingsOf, hostSnapshot, syntheticJournal } from './testing';

const fixture = (name: string) => readFileSync(new URL(`../parsers/fixtures/${name}`, import.meta.url), 'utf8');

const host = (name: string, roles: Host['roles'], extra: Partial<Host> = {}): Host => ({ name, address: `10.0.2.${name.length}`, port: 22, user: 'ops', roles, auth: { method: 'agent' }, ...extra });
const rc = host('rc1', ['rocketchat']);
const presence = host('presence1', ['presence']);
const cluster: Cluster = { name: 'chat', environment: 'staging', stacks: ['generic', 'rocketchat', 'presence'], hosts: [rc, presence] };
const probes = [...Object.values(rocketchatProbes), ...Object.values(presenceProbes)];

/** A synthetic `docker inspect` of the presence container (shape of parsers/fixtures/host/docker-inspect-api-object.json). */
function inspect(image: string, state: Record<string, unknown> = { Status: 'running', Running: true, Restarting: false, ExitCode: 0 }): string {
  return JSON.stringify([{ Id: 'f00d', Name: '/presence', Image: 'sha256:1', State: state, Config: { Image: image, Env: ['MONGO_URL=mongodb://u:secret@db/rc'] }, RestartCount: 0 }]);
}

function findings(options: { image?: string; rocketchatBanner?: string; health?: string; state?: Record<string, unknown> } = {}) {
  const rcLog = options.rocketchatBanner === undefined ? ['started'] : [`|  Rocket.Chat Version: ${options.rocketchatBanner}  |`];
  const snapshot = clusterSnapshot(cluster, [
    hostSnapshot(cluster, rc, probes, {
      'rocketchat.info': curlOutput(fixture('rocketchat/info-unauthenticated.synthetic.json'), 200),
      'rocketchat.log': syntheticJournal('rocketchat.service', rcLog),
    }),
    hostSnapshot(cluster, presence, probes, {
      'presence.service': inspect(options.image ?? 'rocketchat/presence-service:7.0.3', options.state),
      'presence.health': options.health ?? curlOutput('ok', 200),
    }),
  ]);
  return findingsOf([rocketchatProfile, presenceProfile], snapshot);
}

describe('presence profile', () => {
  it('finds nothing when presence runs the Rocket.Chat version and is healthy', () => {
    expect(findings()).toEqual([]);
    // /api/info says 7.0: a 7.0.x presence tag agrees with it.
    expect(findings({ image: 'rocketchat/presence-service:7.0.9' })).toEqual([]);
  });

  it('raises a P3 when the presence tag differs from the Rocket.Chat version of the same snapshot', () => {
    const list = findings({ image: 'rocketchat/presence-service:7.1.0' });
    expect(list).toMatchObject([{ ruleId: 'presence.version-mismatch', severity: 'P3', hosts: ['presence1'], params: { presence: '7.1.0', rocketchat: '7.0' } }]);
    expect(list[0]?.evidence).toContain('rc1: 7.0 (from /api/info)');
    const precise = findings({ image: 'rocketchat/presence-service:7.0.3', rocketchatBanner: '7.0.4' });
    expect(precise).toMatchObject([{ ruleId: 'presence.version-mismatch', params: { rocketchat: '7.0.4' } }]);
  });

  it('cannot compare a tag that is not a version (latest): no finding', () => {
    expect(findings({ image: 'rocketchat/presence-service:latest' })).toEqual([]);
  });

  it('raises a P2 when its /health answers "not healthy", and when the container keeps restarting', () => {
    expect(findings({ health: curlOutput('not healthy', 500) })).toMatchObject([{ ruleId: 'presence.unhealthy', severity: 'P2', hosts: ['presence1'] }]);
    const restarting = findings({ state: { Status: 'restarting', Running: false, Restarting: true, ExitCode: 1 } });
    expect(restarting).toMatchObject([{ ruleId: 'presence.unit-down', severity: 'P2', params: { state: expect.stringContaining('crash-looping') } }]);
    expect(restarting[0]?.evidence).not.toContain('secret');
  });

  it('never turns a missing docker daemon or a refused connection into a finding', () => {
    const snapshot = clusterSnapshot(cluster, [
      hostSnapshot(cluster, presence, probes, {
        'presence.service': { output: fixture('host/docker-inspect-no-daemon.txt'), exitCode: 1 },
        'presence.health': { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 },
      }),
    ]);
    expect(findingsOf([presenceProfile], snapshot)).toEqual([]);
  });

  it('inspects the container "presence" and calls /health on 3031 unless told otherwise', () => {
    expect(presenceProbes.service.command({ cluster, host: presence })).toBe('docker inspect presence');
    expect(presenceProbes.health.command({ cluster, host: presence })).toContain('http://localhost:3031/health');
    const labelled = { ...presence, labels: { 'presence.port': '9458' }, services: [{ name: 'presence', kind: 'systemd' as const, unit: 'rocketchat-presence' }] };
    expect(presenceProbes.health.command({ cluster, host: labelled })).toContain('http://localhost:9458/health');
    expect(presenceProbes.service.command({ cluster, host: labelled })).toMatch(/systemctl show -p \S+ rocketchat-presence$/);
  });
});
