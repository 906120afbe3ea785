import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import type { Finding } from '../findings';
import { vernemqProbes, vernemqProfile } from './vernemq';
import { clusterSnapshot, curlOutput, findingsOf, hostSnapshot, type ProbeOutput } from './testing';

const fixture = (name: string) => readFileSync(new URL(`../parsers/fixtures/${name}`, import.meta.url), 'utf8');

// Pods of a StatefulSet, reached through kubectl on a bastion: the names of the real three-node fixture.
const pods = [0, 1, 2].map(
  (n): Host => ({
    name: `vernemq-${n}`,
    address: '10.0.5.1',
    port: 22,
    user: 'ops',
    roles: ['vernemq'],
    auth: { method: 'agent' },
    services: [{ name: 'vernemq', kind: 'wrapped', wrapper: ['kubectl', 'exec', '-n', 'default', `vernemq-${n}`, '--'] }],
  }),
);
const cluster: Cluster = { name: 'mqtt', environment: 'production', stacks: ['generic', 'vernemq'], hosts: pods };
const probes = Object.values(vernemqProbes);
const nodeName = (n: number) => `VerneMQ@vernemq-${n}.vernemq.default.svc.cluster.local`;

/** `vmq-admin cluster show --format=json` (shape of the real docs example) listing the given nodes. */
const clusterJson = (members: number[], down: number[] = []) =>
  JSON.stringify({ type: 'table', table: members.map((n) => ({ Node: nodeName(n), Running: !down.includes(n) })) });
/** `vmq-admin plugin show --format=json` with the bridge enabled besides the usual plugins. */
const pluginsWithBridge = JSON.stringify({
  type: 'table',
  table: [
    { Plugin: 'vmq_passwd', Type: 'application', 'Hook(s)': 'auth_on_register', 'M:F/A': 'vmq_passwd:auth_on_register/5' },
    { Plugin: 'vmq_bridge', Type: 'application', 'Hook(s)': '', 'M:F/A': '' },
  ],
});

function outputs(overrides: Record<string, ProbeOutput | string> = {}): Record<string, ProbeOutput | string> {
  return {
    'vernemq.cluster': fixture('vernemq/cluster-show-pre-1.11-three-nodes.txt'),
    'vernemq.plugins': fixture('vernemq/plugin-show-pre-1.11.txt'),
    'vernemq.ping': fixture('vernemq/ping-pong.synthetic.txt'),
    'vernemq.release': '13.2.2.4 2.0.0\n',
    'vernemq.health': curlOutput(fixture('health/vernemq-health-ok.synthetic.json'), 200),
    'vernemq.log': '2025-01-20 10:00:00.000 [info] <0.211.0>@vmq_cluster_mon:init/1:45 cluster event handler installed\n',
    ...overrides,
  };
}

function findings(perPod: Record<string, Record<string, ProbeOutput | string>> = {}): Finding[] {
  const hosts = pods.map((pod) => hostSnapshot(cluster, pod, probes, outputs(perPod[pod.name])));
  return findingsOf([vernemqProfile], clusterSnapshot(cluster, hosts));
}

/** The bridge-at-boot incident (vernemq #2350) on vernemq-2. */
const incident = {
  'vernemq.cluster': clusterJson([2]),
  'vernemq.plugins': pluginsWithBridge,
  'vernemq.health': curlOutput(fixture('health/vernemq-health-down.synthetic.json'), 503),
  'vernemq.log': fixture('vernemq/log-non-empty.txt'),
};

describe('VerneMQ profile', () => {
  it('finds nothing on a healthy three-node cluster (real pre-1.11 tables)', () => {
    expect(findings()).toEqual([]);
  });

  it('diagnoses the bridge-at-boot incident: refused join, bridge before join, DOWN health, node out of the cluster', () => {
    const others = clusterJson([0, 1]);
    const list = findings({ 'vernemq-0': { 'vernemq.cluster': others }, 'vernemq-1': { 'vernemq.cluster': others }, 'vernemq-2': incident });
    expect(list.map((finding) => [finding.ruleId, finding.severity, finding.hosts.join()])).toEqual([
      ['vernemq.health-down', 'P1', 'vernemq-2'],
      ['vernemq.non-empty-join', 'P1', 'vernemq-2'],
      ['vernemq.bridge-before-join', 'P2', 'vernemq-2'],
      ['vernemq.not-in-cluster', 'P2', 'vernemq-2'],
    ]);
    const byRule = (id: string) => list.find((finding) => finding.ruleId === id)!;
    expect(byRule('vernemq.non-empty-join').evidence).toContain("Cannot join a cluster, as local node 'VerneMQ@vernemq-2");
    expect(byRule('vernemq.non-empty-join').fix).toBe('staged-restart');
    expect(byRule('vernemq.bridge-before-join').evidence).toContain('enabled plugins: vmq_passwd, vmq_bridge');
    expect(byRule('vernemq.not-in-cluster').params).toMatchObject({ node: nodeName(2), state: 'not listed' });
    expect(byRule('vernemq.not-in-cluster').evidence).toContain(`vernemq-0 cluster show: ${nodeName(0)} running, ${nodeName(1)} running`);
    expect(byRule('vernemq.health-down').params.reasons).toBe('Node has not joined cluster');
  });

  it('keeps quiet about an old non-empty refusal in the log once the node has joined', () => {
    const all = clusterJson([0, 1, 2]);
    const list = findings({ 'vernemq-2': { 'vernemq.log': fixture('vernemq/log-non-empty.txt'), 'vernemq.cluster': all } });
    expect(list.filter((finding) => finding.ruleId === 'vernemq.non-empty-join')).toEqual([]);
  });

  it('raises one P1 instead when half the nodes or more are out', () => {
    const list = findings({ 'vernemq-0': { 'vernemq.cluster': clusterJson([0]) }, 'vernemq-1': { 'vernemq.cluster': clusterJson([1]) }, 'vernemq-2': { 'vernemq.cluster': clusterJson([2]) } });
    expect(list).toMatchObject([{ ruleId: 'vernemq.cluster-split', severity: 'P1', params: { count: 2, total: 3 } }]);
    expect(list[0]?.hosts).toEqual(['vernemq-1', 'vernemq-2']);
  });

  it('raises a P2 for a member listed but not running, and a P1 when its node does not answer pings', () => {
    const view = clusterJson([0, 1, 2], [2]);
    const list = findings({
      'vernemq-0': { 'vernemq.cluster': view },
      'vernemq-1': { 'vernemq.cluster': view },
      'vernemq-2': { 'vernemq.cluster': { output: fixture('vernemq/not-responding-to-pings-kubectl.txt'), exitCode: 1 }, 'vernemq.ping': { output: fixture('vernemq/not-responding-to-pings-kubectl.txt'), exitCode: 1 } },
    });
    expect(list.map((finding) => [finding.ruleId, finding.severity])).toEqual([
      ['vernemq.not-responding', 'P1'],
      ['vernemq.not-in-cluster', 'P2'],
    ]);
    expect(list[1]?.params.state).toBe('not running');
  });

  it('finds version skew (P3) from the release file', () => {
    const list = findings({ 'vernemq-1': { 'vernemq.release': '12.3.2.17 1.13.0\n' } });
    expect(list).toMatchObject([{ ruleId: 'vernemq.version-skew', severity: 'P3', params: { versions: '2.0.0, 1.13.0' } }]);
    expect(list[0]?.evidence).toContain('vernemq-1: 1.13.0 (from start_erl.data)');
  });

  it('never turns unknown output into a finding', () => {
    const notFound = { output: fixture('shell/bash-command-not-found.txt'), exitCode: 127 };
    const cut = fixture('vernemq/cluster-show-2.0.1-cut-by-source.txt');
    const list = findings({
      'vernemq-0': { 'vernemq.cluster': notFound, 'vernemq.plugins': notFound, 'vernemq.ping': notFound, 'vernemq.release': notFound },
      'vernemq-1': { 'vernemq.cluster': cut, 'vernemq.health': { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 } },
      'vernemq-2': { 'vernemq.health': { output: fixture('health/haproxy-503-html-with-code.txt'), exitCode: 0 }, 'vernemq.log': { output: 'Error from server (NotFound): pods "vernemq-2" not found\n', exitCode: 1 } },
    });
    expect(list).toEqual([]);
  });

  it('runs the control commands through the wrapper, and reads the pod log with kubectl logs', () => {
    const pod = pods[2]!;
    expect(vernemqProbes.cluster.command({ cluster, host: pod })).toBe(
      "kubectl exec -n default vernemq-2 -- sh -c 'vmq-admin cluster show --format=json 2>/dev/null || vmq-admin cluster show'",
    );
    expect(vernemqProbes.ping.command({ cluster, host: pod })).toBe('kubectl exec -n default vernemq-2 -- vernemq ping');
    expect(vernemqProbes.release.command({ cluster, host: pod })).toBe('kubectl exec -n default vernemq-2 -- cat /vernemq/releases/start_erl.data');
    expect(vernemqProbes.log.command({ cluster, host: pod })).toBe('kubectl logs -n default vernemq-2 --tail=200');
    expect(vernemqProbes.configSum.command({ cluster, host: pod })).toBe('kubectl exec -n default vernemq-2 -- sha256sum /vernemq/etc/vernemq.conf');
    const packaged: Host = { ...pod, services: undefined };
    expect(vernemqProbes.log.command({ cluster, host: packaged })).toBe('tail -n 200 /var/log/vernemq/console.log');
    expect(vernemqProbes.configSum.command({ cluster, host: packaged })).toBe('sha256sum /etc/vernemq/vernemq.conf');
    expect(vernemqProbes.health.command({ cluster, host: packaged })).toContain('http://localhost:8888/health');
  });

  it('finds config drift across pods, leaving out each node\'s own nodename', () => {
    const conf = (n: number, bridge: string) => `nodename = ${nodeName(n)}\nplugins.vmq_bridge = ${bridge}\nlistener.tcp.default = 0.0.0.0:1883\n`;
    const sums = (n: number) => `${String(n).repeat(64)}  /vernemq/etc/vernemq.conf\n`;
    const list = findings({
      'vernemq-0': { 'vernemq.config-sum': sums(0), 'vernemq.config': conf(0, 'off') },
      'vernemq-1': { 'vernemq.config-sum': sums(1), 'vernemq.config': conf(1, 'off') },
      'vernemq-2': { 'vernemq.config-sum': sums(2), 'vernemq.config': conf(2, 'on') },
    });
    expect(list).toMatchObject([{ ruleId: 'vernemq.config-drift', severity: 'P3', hosts: ['vernemq-2'], params: { file: '/vernemq/etc/vernemq.conf' } }]);
    expect(list[0]?.evidence).toContain('-plugins.vmq_bridge = off\n+plugins.vmq_bridge = on');
    expect(list[0]?.evidence).not.toContain('nodename');
  });
});
