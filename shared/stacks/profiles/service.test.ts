import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host, ServiceRun } from '../../inventory/schema';
import { parseSystemctlShow, type SystemdUnitState } from '../parsers';
import { kubectlLogsArgv, logTailProbe } from './logs';
import { hostSnapshot } from './testing';
import { httpCall, inService, judgeService, serviceStateProbe, systemdRun, type ServiceState } from './service';

const fixture = (name: string) => readFileSync(new URL(`../parsers/fixtures/${name}`, import.meta.url), 'utf8');

const host = (extra: Partial<Host> = {}): Host => ({ name: 'n1', address: '10.0.0.1', port: 22, user: 'ops', roles: ['rocketchat'], auth: { method: 'agent' }, ...extra });
const cluster = (h: Host): Cluster => ({ name: 'c', environment: 'lab', stacks: ['generic', 'rocketchat'], hosts: [h] });

function units(): SystemdUnitState[] {
  const parsed = parseSystemctlShow(fixture('systemd/show-five-units.txt'), 0, { unitCount: 5 });
  if (parsed.status !== 'ok') throw new Error(parsed.reason);
  return parsed.value;
}

const systemd = (unit: SystemdUnitState): ServiceState => ({ manager: 'systemd', unit });
// The captured units started at 00:26:32-38 UTC; "now" is a few minutes later.
const now = Date.parse('2026-11-26T00:30:00Z');

describe('judgeService (the one crash-loop judgement)', () => {
  it('reads running, crash-looping (auto-restart), failed, stopped and missing from real systemctl show output', () => {
    const [server, consumer, scheduler, nats, missing] = units().map((unit) => judgeService(systemd(unit), now));
    expect(server).toMatchObject({ condition: 'running' });
    expect(consumer).toMatchObject({ condition: 'crash-looping', summary: expect.stringContaining('3 restarts') });
    expect(consumer?.evidence).toContain('SubState=auto-restart');
    expect(scheduler).toMatchObject({ condition: 'failed', summary: 'failed (Result=exit-code)' });
    expect(nats).toMatchObject({ condition: 'stopped' });
    expect(missing).toMatchObject({ condition: 'missing' });
  });

  it('calls an active unit with several restarts crash-looping only while its last start is recent', () => {
    const server = { ...units()[0]!, nRestarts: 4 };
    expect(judgeService(systemd(server), now).condition).toBe('crash-looping');
    expect(judgeService(systemd(server), now + 3_600_000).condition).toBe('running');
    // A start time in an ambiguous zone cannot be dated: no crash-loop claimed from restarts alone.
    const undated = { ...server, execMainStartTimestamp: { raw: 'Thu 2026-11-26 08:26:32 CST' } };
    expect(judgeService(systemd(undated), now).condition).toBe('running');
  });

  it("reads systemd 254's other auto-restart sub-states as crash-looping too", () => {
    const server = units()[0]!;
    for (const [activeState, subState] of [
      ['activating', 'auto-restart-queued'],
      ['inactive', 'dead-before-auto-restart'],
      ['failed', 'failed-before-auto-restart'],
    ] as const) {
      expect(judgeService(systemd({ ...server, activeState, subState, nRestarts: 2 }), now), subState).toMatchObject({ condition: 'crash-looping', summary: 'crash-looping (2 restarts, waiting to restart)' });
    }
  });

  it('counts restarts as systemd does: a unit started again after reset-failed (NRestarts=0) runs, one that kept its count does not yet', () => {
    // The count systemd keeps when a stop cancelled a pending restart and the unit was started by hand.
    const kept = { ...units()[0]!, nRestarts: 5 };
    expect(judgeService(systemd(kept), now).condition).toBe('crash-looping');
    expect(judgeService(systemd({ ...kept, nRestarts: 0 }), now).condition).toBe('running');
  });

  it('judges containers from docker inspect', () => {
    const base = { id: 'abc', name: 'rc1', image: 'rocketchat/rocket.chat:7.0.3', status: 'running', running: true, restarting: false };
    expect(judgeService({ manager: 'docker', container: base }, now).condition).toBe('running');
    expect(judgeService({ manager: 'docker', container: { ...base, running: false, restarting: true, status: 'restarting', exitCode: 1, restartCount: 7 } }, now)).toMatchObject({
      condition: 'crash-looping',
      summary: expect.stringContaining('7 restarts'),
    });
    expect(judgeService({ manager: 'docker', container: { ...base, running: false, status: 'exited', exitCode: 137 } }, now)).toMatchObject({
      condition: 'failed',
      summary: 'exited with code 137',
    });
    expect(judgeService({ manager: 'docker', container: { ...base, running: false, status: 'exited', exitCode: 0 } }, now).condition).toBe('stopped');
    const recent = { ...base, restartCount: 5, startedAt: '2026-11-26T00:29:00Z' };
    expect(judgeService({ manager: 'docker', container: recent }, now).condition).toBe('crash-looping');
  });
});

describe('service state probe', () => {
  const probe = serviceStateProbe({ id: 'rocketchat.service', role: 'rocketchat', name: 'rocketchat', fallback: () => systemdRun('rocketchat', 'rocketchat') });

  it('asks systemd by default, docker for a container, and the wrapper for a wrapped unit', () => {
    expect(probe.command({ cluster: cluster(host()), host: host() })).toMatch(/^env TZ=UTC systemctl show -p Id,ActiveState,.* rocketchat$/);
    const docker = host({ services: [{ name: 'rocketchat', kind: 'docker', container: 'rc1' }] });
    expect(probe.command({ cluster: cluster(docker), host: docker })).toBe('docker inspect rc1');
    const wrapped = host({ services: [{ name: 'rocketchat', kind: 'wrapped', wrapper: ['ssh', 'inner host'], unit: 'rocketchat' }] });
    expect(probe.command({ cluster: cluster(wrapped), host: wrapped })).toMatch(/^ssh 'inner host' env TZ=UTC systemctl show/);
    const bare = host({ services: [{ name: 'rocketchat', kind: 'wrapped', wrapper: ['kubectl', 'exec', 'rc-0', '--'] }] });
    expect(probe.command({ cluster: cluster(bare), host: bare })).toBeUndefined();
    expect(probe.command({ cluster: cluster(host({ roles: ['haproxy'] })), host: host({ roles: ['haproxy'] }) })).toBeUndefined();
  });

  it('parses docker inspect without keeping the environment, and reports a host without systemd as unknown', () => {
    const docker = host({ services: [{ name: 'rocketchat', kind: 'docker', container: 'railshello_web_1' }] });
    const snapshot = hostSnapshot(cluster(docker), docker, [probe], { 'rocketchat.service': fixture('host/docker-inspect-api-object.json') });
    expect(snapshot.facts['rocketchat.service']).toMatchObject({ status: 'ok', value: { manager: 'docker', container: { image: 'faraday/rails_hello', running: true } } });
    expect(JSON.stringify(snapshot.facts)).not.toContain('SOME_PASSWORD');
    const bare = hostSnapshot(cluster(host()), host(), [probe], { 'rocketchat.service': { output: fixture('systemd/not-booted.txt'), exitCode: 1 } });
    expect(bare.facts['rocketchat.service']).toMatchObject({ status: 'unknown', reason: 'System has not been booted with systemd' });
  });
});

describe('commands where the service runs', () => {
  it('quotes wrapper arguments and runs curl inside a wrapper, on the host otherwise', () => {
    const wrapped: ServiceRun = { name: 'x', kind: 'wrapped', wrapper: ['kubectl', 'exec', '-n', "chat ns'", 'rc-0', '--'] };
    expect(inService(wrapped, ['vmq-admin', 'cluster', 'show'])).toBe(`kubectl exec -n 'chat ns'\\''' rc-0 -- vmq-admin cluster show`);
    expect(inService({ name: 'x', kind: 'docker', container: 'vmq1' }, ['vernemq', 'ping'])).toBe('docker exec vmq1 vernemq ping');
    expect(httpCall(systemdRun('x', 'x'), 3000, '/api/info')).toBe("curl -s -m 5 -w '\n%{http_code}' http://localhost:3000/api/info");
    expect(httpCall(wrapped, 8888, '/health')).toBe(
      `kubectl exec -n 'chat ns'\\''' rc-0 -- sh -c 'curl -s -m 5 -w '\\''\n%{http_code}'\\'' http://localhost:8888/health'`,
    );
  });
});

describe('log tail', () => {
  const probe = logTailProbe({ id: 'x.log', role: 'rocketchat', name: 'rocketchat', fallback: () => systemdRun('rocketchat', 'rocketchat'), fileLabel: 'x.logFile' });

  it('reads the unit journal as JSON, a container with docker logs, a labelled file with tail', () => {
    expect(probe.command({ cluster: cluster(host()), host: host() })).toBe('journalctl -u rocketchat -n 200 -o json --no-pager');
    const docker = host({ services: [{ name: 'rocketchat', kind: 'docker', container: 'rc1' }] });
    expect(probe.command({ cluster: cluster(docker), host: docker })).toBe('docker logs --tail 200 rc1');
    const file = host({ labels: { 'x.logFile': '/var/log/rc/rocket chat.log' } });
    expect(probe.command({ cluster: cluster(file), host: file })).toBe("tail -n 200 '/var/log/rc/rocket chat.log'");
    const snapshot = hostSnapshot(cluster(host()), host(), [probe], { 'x.log': fixture('journal/json-voms-units.jsonl') });
    expect(snapshot.facts['x.log']).toMatchObject({ status: 'ok', value: { source: 'journal', lines: expect.arrayContaining(['voms-server starting (override)']) } });
  });

  it('says unknown, not empty, when the container or file is not there', () => {
    const docker = host({ services: [{ name: 'rocketchat', kind: 'docker', container: 'rc1' }] });
    const gone = hostSnapshot(cluster(docker), docker, [probe], { 'x.log': { output: 'Error response from daemon: No such container: rc1\n', exitCode: 1 } });
    expect(gone.facts['x.log']).toMatchObject({ status: 'unknown' });
    const noDaemon = hostSnapshot(cluster(docker), docker, [probe], { 'x.log': { output: fixture('host/docker-ps-no-daemon.txt'), exitCode: 1 } });
    expect(noDaemon.facts['x.log']).toMatchObject({ status: 'unknown', reason: 'Cannot connect to the Docker daemon' });
  });

  it('turns kubectl exec into kubectl logs for pods', () => {
    expect(kubectlLogsArgv(['kubectl', '--context', 'prod', 'exec', '-it', '-n', 'mq', 'vernemq-0', '-c', 'vernemq', '--'], 200)).toEqual([
      'kubectl',
      '--context',
      'prod',
      'logs',
      '-n',
      'mq',
      'vernemq-0',
      '-c',
      'vernemq',
      '--tail=200',
    ]);
    expect(kubectlLogsArgv(['ssh', 'bastion'], 200)).toBeUndefined();
  });
});
