import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  parseCurlResponse,
  parseVernemqHealth,
  parseVernemqPing,
  parseVmqBridgeShow,
  parseVmqClusterShow,
  parseVmqCommandResult,
  parseVmqNodeHistory,
  parseVmqPluginShow,
} from '../../../../shared/stacks/parsers';
import { vernemqProfile } from '../../../../shared/stacks/profiles/vernemq';
import { curlCommand, localUrl } from '../../../../shared/stacks/probes';
import { diagnose, pollCommand, startSystem, type SystemUnderTest } from '../lab-system-testing';
import { buildVernemq, vernemqHostName, vernemqNodeName } from '.';

/** The healthy VerneMQ lab over real SSH: vmq-admin's formats parse, and the node lifecycle shows. */

let sut: SystemUnderTest;
const node1 = vernemqHostName(1);
const node2 = vernemqHostName(2);

beforeAll(async () => {
  sut = await startSystem((context) => buildVernemq(context, { state: 'healthy' }));
});

afterAll(async () => {
  await sut?.stop();
});

const merged = (result: { stdout: string; stderr: string }) => result.stdout + result.stderr;

describe('healthy VerneMQ lab', () => {
  test('every console probe parses on every node, and the console finds nothing wrong', async () => {
    const { snapshot, findings } = await diagnose(sut, [vernemqProfile]);
    for (const host of snapshot.hosts) {
      for (const [id, fact] of Object.entries(host.facts)) expect(fact, `${id} on ${host.host.name}: ${host.raw[id]?.output}`).toMatchObject({ status: 'ok' });
    }
    expect(findings).toEqual([]);
  });

  test('cluster show prints the 1.11 table and JSON, both listing three running nodes', async () => {
    const table = await sut.run(node2, 'vmq-admin cluster show');
    expect(table.stdout).toMatch(/^\+-+\+-+\+\n\| Node +\| Running \|\n\+-+\+-+\+\n\| VerneMQ@vernemq-1 +\| true +\|\n\+-+\+-+\+\n/);
    const running = [1, 2, 3].map((index) => ({ node: vernemqNodeName(index), running: true }));
    expect(parseVmqClusterShow(table.stdout, table.code ?? undefined)).toEqual({ status: 'ok', value: { nodes: running, format: 'table' } });
    const json = await sut.run(node2, 'vmq-admin cluster show --format=json');
    expect(json.stdout).toBe(`{"table":[${running.map((n) => `{"Node":"${n.node}","Running":true}`).join(',')}],"type":"table"}\n`);
    expect(parseVmqClusterShow(json.stdout, json.code ?? undefined)).toMatchObject({ status: 'ok', value: { format: 'json' } });
  });

  test('plugin show, bridge show, node history and ping answer in their formats', async () => {
    const plugins = await sut.run(node1, 'vmq-admin plugin show');
    const parsed = parseVmqPluginShow(plugins.stdout, plugins.code ?? undefined);
    expect(parsed).toMatchObject({ status: 'ok' });
    if (parsed.status === 'ok') expect(parsed.value.plugins.map((plugin) => plugin.name)).toEqual(['vmq_passwd', 'vmq_acl']);
    expect(parseVmqPluginShow((await sut.run(node1, 'vmq-admin plugin show --format=json')).stdout, 0)).toMatchObject({ status: 'ok' });
    const bridges = await sut.run(node1, 'vmq-admin bridge show');
    expect(parseVmqBridgeShow(bridges.stdout, bridges.code ?? undefined)).toEqual({ status: 'ok', value: { bridges: [] } });
    const history = await sut.run(node1, 'vmq-admin node history');
    expect(parseVmqNodeHistory(history.stdout, history.code ?? undefined)).toEqual({ status: 'ok', value: 'existing_state' });
    const ping = await sut.run(node1, 'vernemq ping');
    expect(parseVernemqPing(ping.stdout, ping.code ?? undefined)).toEqual({ status: 'ok', value: { responding: true } });
  });

  test('a stopped node is not running in the others\' view and answers neither ping nor vmq-admin; leave and join print Done', async () => {
    expect(await sut.run(node2, 'sudo systemctl stop vernemq')).toMatchObject({ code: 0 });
    const ping = await sut.run(node2, 'vernemq ping');
    expect(ping).toMatchObject({ code: 1, stdout: "Node 'VerneMQ@vernemq-2' not responding to pings.\n" });
    expect(parseVernemqPing(ping.stdout, ping.code ?? undefined)).toEqual({ status: 'ok', value: { responding: false, node: vernemqNodeName(2) } });
    expect(parseVmqClusterShow(merged(await sut.run(node2, 'vmq-admin cluster show')), 1)).toMatchObject({ status: 'unknown' });
    const view = parseVmqClusterShow((await sut.run(node1, 'vmq-admin cluster show')).stdout, 0);
    expect(view.status === 'ok' && view.value.nodes.find((node) => node.node === vernemqNodeName(2))).toEqual({ node: vernemqNodeName(2), running: false });
    expect(await sut.run(node1, `curl -s -o /dev/null -w '%{http_code}' ${localUrl(8888, '/health')}`)).toMatchObject({ stdout: '200' });

    const leave = await sut.run(node1, `vmq-admin cluster leave node=${vernemqNodeName(2)} -k`);
    expect(parseVmqCommandResult(leave.stdout, leave.code ?? undefined)).toEqual({ status: 'ok', value: { outcome: 'done', message: 'Done' } });
    expect(await sut.run(node2, 'sudo systemctl start vernemq')).toMatchObject({ code: 0 });
    const health = await pollCommand(sut, node2, curlCommand(localUrl(8888, '/health')), (r) => r.stdout.endsWith('503'));
    const response = parseCurlResponse(health.stdout, health.code ?? undefined);
    expect(response.status === 'ok' && parseVernemqHealth(response.value.body, response.value.status)).toEqual({
      status: 'ok',
      value: { healthy: false, reasons: ['Node has not joined cluster'] },
    });
    expect((await sut.run(node2, 'vmq-admin node history')).stdout).toBe('empty_state\n');
    const join = await sut.run(node2, `vmq-admin cluster join discovery-node=${vernemqNodeName(1)}`);
    expect(join).toMatchObject({ code: 0, stdout: 'Done\n' });
    await pollCommand(sut, node2, curlCommand(localUrl(8888, '/health')), (r) => r.stdout === '{"status":"OK"}\n200');
    expect((await sut.run(vernemqHostName(3), 'vmq-admin cluster show')).stdout.match(/\| true +\|/g)).toHaveLength(3);
  });
});
