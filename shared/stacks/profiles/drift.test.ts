import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import { configDriftFindings, configProbes, lineDiff } from './drift';
import { text } from './common';
import { systemdRun } from './service';
import { clusterSnapshot, hostSnapshot } from './testing';

const rule = { id: 'x.config-drift', severity: 'P3', title: text('', ''), why: text('', ''), action: text('', ''), fix: 'staged-restart' } as const;
const probes = configProbes({
  id: 'x.config',
  role: 'vernemq',
  name: 'vernemq',
  fallback: () => systemdRun('vernemq', 'vernemq'),
  pathOf: () => '/etc/vernemq/vernemq.conf',
});
const host = (name: string, address: string): Host => ({ name, address, port: 22, user: 'ops', roles: ['vernemq'], auth: { method: 'agent' } });
const hosts = [host('vmq1', '10.0.0.1'), host('vmq2', '10.0.0.2'), host('vmq3', '10.0.0.3')];
const cluster: Cluster = { name: 'mq', environment: 'lab', stacks: ['generic', 'vernemq'], hosts };

// Synthetic effective lines of vernemq.conf (what `grep -Ev '^ *(#|$)'` leaves).
const conf = (h: Host, extra: string[] = []) =>
  [`nodename = VerneMQ@${h.address}`, `listener.tcp.default = ${h.address}:1883`, 'distributed_cookie = vmq_cookie_1', 'plugins.vmq_bridge = off', ...extra, ''].join('\n');
const sum = (digit: string) => `${digit.repeat(64)}  /etc/vernemq/vernemq.conf\n`;

function snapshot(contents: string[], sums: string[]) {
  return clusterSnapshot(
    cluster,
    hosts.map((h, index) => hostSnapshot(cluster, h, [probes.checksum, probes.content], { 'x.config-sum': sums[index]!, 'x.config': contents[index]! })),
  );
}

const drift = (s: ReturnType<typeof snapshot>) =>
  configDriftFindings(s, { role: 'vernemq', rule, checksum: probes.checksum, content: probes.content, nodeKeys: ['nodename'] });

describe('config drift', () => {
  it('ignores differences that are per node by design (node name, own address)', () => {
    expect(drift(snapshot(hosts.map((h) => conf(h)), [sum('a'), sum('b'), sum('c')]))).toEqual([]);
  });

  it('shows a real difference as a diff against the most common version, with per-host checksums', () => {
    const [finding] = drift(snapshot([conf(hosts[0]!), conf(hosts[1]!), conf(hosts[2]!, ['max_inflight_messages = 100']).replace('vmq_bridge = off', 'vmq_bridge = on')], [sum('a'), sum('b'), sum('c')]));
    expect(finding).toMatchObject({ ruleId: 'x.config-drift', severity: 'P3', hosts: ['vmq3'], params: { file: '/etc/vernemq/vernemq.conf', hosts: 'vmq3', reference: 'vmq1, vmq2' } });
    expect(finding?.evidence).toContain('vmq3: cccccccccccccccc…');
    expect(finding?.evidence).toContain('--- vmq1 (and 1 more)\n+++ vmq3\n-plugins.vmq_bridge = off\n+plugins.vmq_bridge = on\n+max_inflight_messages = 100');
  });

  it('never shows the value of a secret-looking key, even when it is what differs', () => {
    const [finding] = drift(snapshot([conf(hosts[0]!), conf(hosts[1]!), conf(hosts[2]!).replace('vmq_cookie_1', 'other_cookie')], [sum('a'), sum('b'), sum('c')]));
    expect(finding?.evidence).toContain('-distributed_cookie = <hidden>\n+distributed_cookie = <hidden>');
    expect(finding?.evidence).not.toMatch(/vmq_cookie_1|other_cookie/);
  });

  it('raises nothing when a node could not be read or its file is longer than the read limit', () => {
    const contents = [conf(hosts[0]!), conf(hosts[1]!), conf(hosts[2]!, ['x = 1'])];
    expect(drift(snapshot([contents[0]!, contents[1]!, "grep: /etc/vernemq/vernemq.conf: No such file or directory\n"], [sum('a'), sum('b'), sum('c')]))).toEqual([]);
    expect(drift(snapshot([contents[0]!, contents[1]!, contents[2]!.slice(0, -1)], [sum('a'), sum('b'), sum('c')]))).toEqual([]);
    expect(drift(snapshot(contents, [sum('a'), sum('a'), sum('a')]))).toEqual([]);
  });

  it('reads the file where the service runs, with the path as an argument of a fixed script', () => {
    const docker = { ...hosts[0]!, services: [{ name: 'vernemq', kind: 'docker' as const, container: 'vmq' }] };
    expect(probes.content.command({ cluster, host: docker })).toBe(
      `docker exec vmq sh -c 'grep -Ev '\\''^ *(#|$)'\\'' "$1" | head -c 16384' sh /etc/vernemq/vernemq.conf`,
    );
  });
});

describe('lineDiff', () => {
  it('lists removed and added lines in order', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual(['-b', '+x', '+d']);
    expect(lineDiff(['a'], ['a'])).toEqual([]);
  });
});
