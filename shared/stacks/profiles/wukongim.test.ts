import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import type { Finding } from '../findings';
import { wukongimProbes, wukongimProfile } from './wukongim';
import { clusterSnapshot, curlOutput, findingsOf, hostSnapshot, syntheticJournal, syntheticUnitShow, type ProbeOutput } from './testing';

const fixture = (name: string) => readFileSync(new URL(`../parsers/fixtures/${name}`, import.meta.url), 'utf8');

const nodes = [1, 2, 3].map((n): Host => ({ name: `wk${n}`, address: `10.0.0.${n}`, port: 22, user: 'ops', roles: ['wukongim'], auth: { method: 'agent' } }));
const cluster: Cluster = { name: 'im', environment: 'production', stacks: ['generic', 'wukongim'], hosts: nodes };
const probes = Object.values(wukongimProbes);

const three = fixture('wukongim/cluster-nodes-three.synthetic.json');
const varz = fixture('wukongim/varz.synthetic.json');

/** cluster-nodes-one-of-three with the listed node renumbered: what node N sees when it only knows itself. */
const onlySelf = (id: number) => fixture('wukongim/cluster-nodes-one-of-three.synthetic.json').replace('"id":1001', `"id":${id}`);

function outputs(overrides: Record<string, ProbeOutput | string> = {}): Record<string, ProbeOutput | string> {
  return {
    'wukongim.service': syntheticUnitShow({ id: 'wukongim.service' }),
    'wukongim.nodes': curlOutput(three, 200),
    'wukongim.varz': curlOutput(varz, 200),
    'wukongim.health': curlOutput(fixture('wukongim/health-ok.synthetic.json'), 200),
    'wukongim.log': syntheticJournal('wukongim.service', fixture('wukongim/log-start.synthetic.txt').trim().split('\n')),
    ...overrides,
  };
}

function findings(perNode: Record<string, Record<string, ProbeOutput | string>> = {}): Finding[] {
  const hosts = nodes.map((node) => hostSnapshot(cluster, node, probes, outputs(perNode[node.name])));
  return findingsOf([wukongimProfile], clusterSnapshot(cluster, hosts));
}

describe('WuKongIM profile', () => {
  it('finds nothing when every node sees the same three members and one leader', () => {
    expect(findings()).toEqual([]);
  });

  it('raises a P1 when nodes disagree on membership (issue #310), with each node\'s view as evidence', () => {
    const list = findings({ wk2: { 'wukongim.nodes': curlOutput(onlySelf(1002), 200) } });
    const membership = list.find((finding) => finding.ruleId === 'wukongim.membership');
    expect(membership).toMatchObject({ severity: 'P1', fix: 'staged-restart', hosts: ['wk1', 'wk2', 'wk3'], params: { detail: 'wk1 sees 3, wk2 sees 1, wk3 sees 3; 3 deployed' } });
    expect(membership?.evidence).toContain('wk1 sees 1001 (leader), 1002, 1003 (offline)');
    expect(membership?.evidence).toContain('wk2 sees 1002 (leader)');
    // wk2 also names itself leader while the others follow 1001: two leaders.
    expect(list.find((finding) => finding.ruleId === 'wukongim.multiple-leaders')).toMatchObject({ severity: 'P1', params: { leaders: '1001, 1002' } });
  });

  it('raises a P1 when every node agrees on fewer members than are deployed', () => {
    const one = curlOutput(fixture('wukongim/cluster-nodes-one-of-three.synthetic.json'), 200);
    const list = findings({ wk1: { 'wukongim.nodes': one }, wk2: { 'wukongim.nodes': one }, wk3: { 'wukongim.nodes': one } });
    expect(list.map((finding) => finding.ruleId)).toEqual(['wukongim.membership']);
    expect(list[0]?.params.detail).toBe('wk1 sees 1, wk2 sees 1, wk3 sees 1; 3 deployed');
  });

  it('raises a P1 for the nodes that see no leader', () => {
    const leaderless = curlOutput(three.replace('"is_leader":1,', ''), 200);
    const list = findings({ wk3: { 'wukongim.nodes': leaderless } });
    expect(list).toMatchObject([{ ruleId: 'wukongim.no-leader', severity: 'P1', hosts: ['wk3'], params: { hosts: 'wk3' } }]);
  });

  it('raises a P2 when a node\'s /cluster/nodes fails with 400 (a peer did not answer), and no membership claim', () => {
    const list = findings({ wk1: { 'wukongim.nodes': curlOutput(fixture('wukongim/cluster-nodes-peer-timeout.synthetic.json'), 400) } });
    expect(list).toMatchObject([{ ruleId: 'wukongim.peer-not-answering', severity: 'P2', hosts: ['wk1'], params: { message: 'context deadline exceeded' } }]);
    expect(list[0]?.evidence).toContain('"msg":"context deadline exceeded"');
  });

  it('finds version skew from /varz, falling back to the log banner when /varz does not answer', () => {
    const older = varz.replace('v2.1.2-20250120', 'v2.0.10-20241120');
    expect(findings({ wk3: { 'wukongim.varz': curlOutput(older, 200) } })).toMatchObject([
      { ruleId: 'wukongim.version-skew', severity: 'P2', params: { versions: 'v2.1.2-20250120, v2.0.10-20241120' } },
    ]);
    const fromLog = findings({
      wk3: {
        'wukongim.varz': { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 },
        'wukongim.log': syntheticJournal('wukongim.service', ['Version:  v2.0.10-20241120', 'Server is ready']),
      },
    });
    expect(fromLog[0]?.evidence).toContain('wk3: v2.0.10-20241120 (from log banner)');
  });

  it('raises a P1 when /health says a slot has no leader, and when the log shows the slots timeout', () => {
    const list = findings({
      wk2: { 'wukongim.health': curlOutput(fixture('wukongim/health-slot-leader.synthetic.json'), 500) },
      wk3: { 'wukongim.log': syntheticJournal('wukongim.service', fixture('wukongim/log-slots-timeout.synthetic.txt').trim().split('\n')) },
    });
    expect(list.map((finding) => [finding.ruleId, finding.severity, finding.hosts.join()])).toEqual([
      ['wukongim.slots-timeout', 'P1', 'wk3'],
      ['wukongim.unhealthy', 'P1', 'wk2'],
    ]);
    expect(list[1]?.params.reason).toBe('slot leader not found');
    expect(list[0]?.evidence).toContain('panic: wait all slots ready timeout');
  });

  it('forgets a slots timeout once a later start reached "Server is ready"', () => {
    const restarted = [...fixture('wukongim/log-slots-timeout.synthetic.txt').trim().split('\n'), ...fixture('wukongim/log-start.synthetic.txt').trim().split('\n')];
    expect(findings({ wk3: { 'wukongim.log': syntheticJournal('wukongim.service', restarted) } })).toEqual([]);
  });

  it('never turns unknown output into a finding', () => {
    const html = { output: fixture('health/haproxy-503-html-with-code.txt'), exitCode: 0 };
    const refused = { output: fixture('health/curl-connection-refused-with-code.txt'), exitCode: 7 };
    const unknownEverywhere = { 'wukongim.nodes': html, 'wukongim.varz': refused, 'wukongim.health': html, 'wukongim.service': { output: fixture('systemd/not-booted.txt'), exitCode: 1 } };
    expect(findings({ wk1: unknownEverywhere, wk2: unknownEverywhere, wk3: unknownEverywhere })).toEqual([]);
  });

  it('calls the HTTP API on 5001 or the labelled port, and checks wk.yaml only when labelled', () => {
    expect(wukongimProbes.nodes.command({ cluster, host: nodes[0]! })).toContain('http://localhost:5001/cluster/nodes');
    const labelled = { ...nodes[0]!, labels: { 'wukongim.apiPort': '15001', 'wukongim.config': '/opt/wk/wk.yaml' } };
    expect(wukongimProbes.varz.command({ cluster, host: labelled })).toContain('http://localhost:15001/varz');
    expect(wukongimProbes.config.command({ cluster, host: nodes[0]! })).toBeUndefined();
    expect(wukongimProbes.configSum.command({ cluster, host: labelled })).toBe('sha256sum /opt/wk/wk.yaml');
  });

  it('finds wk.yaml drift beyond each node\'s own id and addresses', () => {
    const labelled = nodes.map((node) => ({ ...node, labels: { 'wukongim.config': '/opt/wk/wk.yaml' } }));
    const labelledCluster = { ...cluster, hosts: labelled };
    const yaml = (node: Host, slots: number) => `mode: release\ncluster:\n  nodeId: 100${node.name.slice(2)}\n  serverAddr: "${node.address}:11110"\n  slotCount: ${slots}\n  initNodes: "1001@10.0.0.1 1002@10.0.0.2 1003@10.0.0.3"\n`;
    const snapshot = (slots: number[]) =>
      clusterSnapshot(
        labelledCluster,
        labelled.map((node, index) =>
          hostSnapshot(labelledCluster, node, probes, {
            'wukongim.config-sum': `${String(index).repeat(64)}  /opt/wk/wk.yaml\n`,
            'wukongim.config': yaml(node, slots[index]!),
          }),
        ),
      );
    expect(findingsOf([wukongimProfile], snapshot([64, 64, 64]))).toEqual([]);
    const list = findingsOf([wukongimProfile], snapshot([64, 64, 128]));
    expect(list).toMatchObject([{ ruleId: 'wukongim.config-drift', severity: 'P3', hosts: ['wk3'], params: { file: '/opt/wk/wk.yaml' } }]);
    expect(list[0]?.evidence).toContain('-  slotCount: 64\n+  slotCount: 128');
  });
});
