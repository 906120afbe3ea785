import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findHost } from '../../../../shared/inventory/schema';
import { parseCurlResponse, parseJournalJson, parseWukongClusterNodes, scanWukongLog } from '../../../../shared/stacks/parsers';
import type { CommandProbe } from '../../../../shared/stacks/profile';
import { wukongimProbes, wukongimProfile } from '../../../../shared/stacks/profiles/wukongim';
import { curlCommand, localUrl } from '../../../../shared/stacks/probes';
import { diagnose, pollCommand, startSystem, type SystemUnderTest } from '../lab-system-testing';
import { buildWukongim, wukongimHostName } from '.';

/** The healthy WuKongIM lab over real SSH: every console probe parses, and the daemon commands work. */

let sut: SystemUnderTest;
const node1 = wukongimHostName(1001);
const node3 = wukongimHostName(1003);

beforeAll(async () => {
  sut = await startSystem((context) => buildWukongim(context, { state: 'healthy' }));
});

afterAll(async () => {
  await sut?.stop();
});

async function probe<F>(hostName: string, spec: CommandProbe<F>) {
  const target = { cluster: sut.cluster, host: findHost(sut.cluster, hostName)! };
  const command = spec.command(target);
  if (command === undefined) throw new Error(`probe ${spec.id} has no command for ${hostName}`);
  const result = await sut.run(hostName, command);
  return { result, parsed: spec.parse(result.stdout + result.stderr, result.code, target) };
}

const journal = (unit: string) => `journalctl -u ${unit} -n 200 -o json --no-pager`;

describe('healthy WuKongIM lab', () => {
  test('every console probe parses on every node', async () => {
    for (const host of sut.cluster.hosts) {
      for (const spec of Object.values(wukongimProbes) as CommandProbe[]) {
        const { parsed, result } = await probe(host.name, spec);
        expect(parsed, `${spec.id} on ${host.name}: ${result.stdout}${result.stderr}`).toMatchObject({ status: 'ok' });
      }
    }
  });

  test('all nodes see the same three members and one leader, with zero values omitted', async () => {
    for (const host of sut.cluster.hosts) {
      const { parsed, result } = await probe(host.name, wukongimProbes.nodes);
      if (parsed.status !== 'ok') throw new Error(parsed.reason);
      expect(parsed.value.nodes.map((node) => [node.id, node.online, node.isLeader])).toEqual([
        [1001, true, true],
        [1002, true, false],
        [1003, true, false],
      ]);
      expect(parsed.value.nodes.reduce((sum, node) => sum + node.slotLeaderCount, 0)).toBe(64);
      // v2.1.2 leaves app_version empty, and a follower has no is_leader key at all.
      expect(result.stdout).not.toContain('app_version');
      expect(result.stdout).not.toMatch(/"is_leader":0/);
    }
    const varz = await probe(node3, wukongimProbes.varz);
    expect(varz.parsed).toMatchObject({ status: 'ok', value: { serverId: '1003', version: 'v2.1.2-20250120' } });
    const peerVarz = await sut.run(node1, curlCommand(localUrl(5001, '/varz?node_id=1002')));
    expect(peerVarz.stdout).toContain('"server_id":"1002"');
  });

  test('./wukongim stop and ./wukongim --config ./wk.yaml -d act on the unit, and the node rejoins', async () => {
    expect(await sut.run(node3, 'cd /home/wukongim && ./wukongim stop')).toMatchObject({ code: 1, stderr: 'Error: operation not permitted\n' });
    expect(await sut.run(node3, 'cd /home/wukongim && sudo ./wukongim stop')).toMatchObject({ code: 0 });
    await pollCommand(sut, node3, 'systemctl is-active wukongim', (r) => r.stdout === 'inactive\n');
    expect(await sut.run(node3, 'cd /home/wukongim && sudo ./wukongim stop')).toMatchObject({
      code: 1,
      stderr: 'Error: open wukongim.pid: no such file or directory\n',
    });
    const seen = await pollCommand(sut, node1, curlCommand(localUrl(5001, '/cluster/nodes')), (r) => /"id":1003,"role"/.test(r.stdout));
    const view = parseWukongClusterNodes(...bodyAndStatus(seen.stdout));
    expect(view).toMatchObject({ status: 'ok' });
    if (view.status === 'ok') expect(view.value.nodes.find((node) => node.id === 1003)).toMatchObject({ online: false, offlineCount: 1 });

    expect(await sut.run(node3, 'cd /home/wukongim && sudo ./wukongim --config ./wk.yaml -d')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const log = await pollCommand(sut, node3, journal('wukongim'), (r) => logScan(r.stdout).ready);
    expect(logScan(log.stdout).version).toBe('v2.1.2-20250120');
    expect(log.stdout).toContain('joined the cluster through seed node 1001');
    const pid = (await sut.run(node3, 'cat /home/wukongim/wukongim.pid')).stdout;
    expect((await sut.run(node3, 'systemctl show -p MainPID --value wukongim')).stdout).toBe(`${pid}\n`);
    await pollCommand(sut, node1, curlCommand(localUrl(5001, '/cluster/nodes')), (r) => (r.stdout.match(/"online":1/g) ?? []).length === 3);
  });

  test('a node that cannot reach a quorum panics with "wait all slots ready timeout" and is restarted', async () => {
    await sut.run(wukongimHostName(1002), 'sudo systemctl stop wukongim');
    await sut.run(node3, 'sudo systemctl stop wukongim');
    const health = await pollCommand(sut, node1, curlCommand(localUrl(5001, '/health')), (r) => r.stdout.endsWith('500'));
    expect(health.stdout).toBe('{"msg":"slot leader not found","status":500}\n500');
    expect((await probe(node1, wukongimProbes.health)).parsed).toEqual({ status: 'ok', value: { healthy: false, reasons: ['slot leader not found'] } });

    await sut.run(node1, 'sudo systemctl restart wukongim');
    const log = await pollCommand(sut, node1, journal('wukongim'), (r) => r.stdout.includes('Scheduled restart job'));
    expect(log.stdout).toContain('panic: wait all slots ready timeout');
    // With its peers back, the restarted node comes up.
    await sut.run(wukongimHostName(1002), 'sudo systemctl start wukongim');
    await sut.run(node3, 'sudo systemctl start wukongim');
    await pollCommand(sut, node1, journal('wukongim'), (r) => logScan(r.stdout).ready);
    await pollCommand(sut, node1, curlCommand(localUrl(5001, '/health')), (r) => r.stdout === '{"status":"ok"}\n200');
  });
});

function bodyAndStatus(output: string): [string, number] {
  const response = parseCurlResponse(output, 0);
  if (response.status !== 'ok') throw new Error(response.reason);
  return [response.value.body, response.value.status];
}

function logScan(journalJson: string) {
  const parsed = parseJournalJson(journalJson, 0);
  if (parsed.status !== 'ok') throw new Error(parsed.reason);
  return scanWukongLog(parsed.value.entries.map((entry) => entry.message ?? '').join('\n'));
}

describe('a WuKongIM node whose peer is starting', () => {
  let slow: SystemUnderTest | undefined;

  afterAll(async () => {
    await slow?.stop();
  });

  test('/cluster/nodes fails with HTTP 400 while an online peer does not answer yet', async () => {
    // Startup this long never ends within the test: the peer stays up but not answering.
    slow = await startSystem((context) => buildWukongim(context, { state: 'healthy', timing: { startupMs: 100_000_000 } }));
    expect(await slow.run(node3, 'sudo systemctl restart wukongim')).toMatchObject({ code: 0 });
    const output = await slow.run(node1, curlCommand(localUrl(5001, '/cluster/nodes')));
    expect(output.stdout).toBe('{"msg":"context deadline exceeded","status":400}\n400');
    expect(parseWukongClusterNodes(...bodyAndStatus(output.stdout))).toMatchObject({
      status: 'unknown',
      reason: 'a peer did not answer the node query: context deadline exceeded',
    });
    const { findings } = await diagnose(slow, [wukongimProfile]);
    expect(findings.map((finding) => finding.ruleId)).toContain('wukongim.peer-not-answering');
  });
});
