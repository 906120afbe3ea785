import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAsciiTable } from './ascii-table';
import {
  parseVernemqPing,
  parseVmqBridgeShow,
  parseVmqClusterShow,
  parseVmqCommandResult,
  parseVmqNodeHistory,
  parseVmqPluginShow,
  scanVernemqLog,
} from './vernemq';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('vmq-admin cluster show', () => {
  it('reads the table layout before 1.11', () => {
    expect(parseVmqClusterShow(fixture('vernemq/cluster-show-1.4.1-one-node.txt'), 0)).toEqual({
      status: 'ok',
      value: { format: 'table', nodes: [{ node: 'VerneMQ@10.6.16.197', running: true }] },
    });
    const three = parseVmqClusterShow(fixture('vernemq/cluster-show-pre-1.11-three-nodes.txt'), 0);
    expect(three.status === 'ok' && three.value.nodes.map((n) => n.node)).toEqual([
      'VerneMQ@vernemq-0.vernemq.default.svc.cluster.local',
      'VerneMQ@vernemq-2.vernemq.default.svc.cluster.local',
      'VerneMQ@vernemq-1.vernemq.default.svc.cluster.local',
    ]);
  });

  it('splits on the bars, not the border widths', () => {
    const ragged = parseVmqClusterShow(fixture('vernemq/cluster-show-pre-1.11-ragged.txt'), 0);
    expect(ragged).toMatchObject({ status: 'ok', value: { nodes: [{ running: true }, { node: 'VerneMQ@vernemq-1.vernemq.test.svc.cluster.local', running: true }] } });
  });

  it('reads the 1.11+ layout with a border after every row', () => {
    expect(parseVmqClusterShow(fixture('vernemq/cluster-show-1.11-one-node.txt'), 0)).toEqual({
      status: 'ok',
      value: { format: 'table', nodes: [{ node: 'VerneMQ@vernemq-0.vernemq-headless.vernemq.svc.cluster.local', running: true }] },
    });
    // kubectl prints its deprecation warning before the table.
    const twoRows =
      'kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n' +
      '+------+---------+\n| Node | Running |\n+------+---------+\n| a@1  | true    |\n+------+---------+\n| b@2  | false   |\n+------+---------+\n';
    expect(parseVmqClusterShow(twoRows, 0)).toMatchObject({ status: 'ok', value: { nodes: [{ node: 'a@1', running: true }, { node: 'b@2', running: false }] } });
  });

  it('reads --format=json and the HTTP API answer', () => {
    expect(parseVmqClusterShow(fixture('vernemq/cluster-show-json-http-api.json'), 0)).toEqual({
      status: 'ok',
      value: { format: 'json', nodes: [{ node: 'VerneMQ@127.0.0.1', running: true }] },
    });
    expect(parseVmqClusterShow('{"table":[{"Node":"VerneMQ@10.0.0.1","Running":true},{"Node":"VerneMQ@10.0.0.2","Running":false}],"type":"table"}\n')).toMatchObject({
      status: 'ok',
      value: { nodes: [{ running: true }, { node: 'VerneMQ@10.0.0.2', running: false }] },
    });
  });

  it('says unknown for a cut table, a silent node, or a missing tool', () => {
    expect(parseVmqClusterShow(fixture('vernemq/cluster-show-2.0.1-cut-by-source.txt'), 0)).toMatchObject({
      status: 'unknown',
      reason: 'the table does not end with a border (truncated?)',
    });
    expect(parseVmqClusterShow(fixture('vernemq/not-responding-to-pings-kubectl.txt'), 1)).toMatchObject({
      status: 'unknown',
      reason: 'node VerneMQ@vernemq-0.null.default.svc.cluster.local not responding to pings (is VerneMQ running?)',
    });
    expect(parseVmqClusterShow(fixture('shell/bash-command-not-found.txt'), 127)).toMatchObject({ status: 'unknown', reason: 'command not found: vmq-admin' });
    expect(parseVmqClusterShow(fixture('vernemq/listener-show-format-json.json').slice(0, 50), 0)).toMatchObject({ status: 'unknown' });
    expect(parseVmqClusterShow(fixture('vernemq/listener-show-format-json.json'), 0)).toMatchObject({ status: 'unknown', reason: 'a row without Node and Running' });
  });
});

describe('vmq-admin tables', () => {
  it('reads multi-row 1.11 tables', () => {
    const table = parseAsciiTable(fixture('vernemq/api-key-show-1.11.txt'));
    expect(table).toEqual({
      header: ['Key', 'Scope', 'Expires (UTC)', 'has expired'],
      rows: [
        ['q85i5HbFCDdAVLNJuOj48QktDbchvOMS', 'mgmt', '2023-04-04 10:00:00', 'false'],
        ['JxctXkZ1OTVnlwvguSCE9KtujacMkOLF', 'mgmt', 'never', 'false'],
      ],
    });
  });

  it('reads plugin show with multi-line cells in both layouts', () => {
    expect(parseVmqPluginShow(fixture('vernemq/plugin-show-pre-1.11.txt'), 0)).toEqual({
      status: 'ok',
      value: {
        plugins: [
          { name: 'vmq_passwd', type: 'application', hooks: ['auth_on_register'] },
          { name: 'vmq_acl', type: 'application', hooks: ['auth_on_publish', 'auth_on_subscribe'] },
        ],
      },
    });
    const internal = parseVmqPluginShow(fixture('vernemq/plugin-show-internal-1.11.txt'), 0);
    expect(internal.status).toBe('ok');
    if (internal.status !== 'ok') return;
    expect(internal.value.plugins.map((p) => p.name)).toEqual(['vmq_swc', 'vmq_generic_msg_store', 'vmq_config', 'vmq_acl', 'vmq_passwd']);
    expect(internal.value.plugins[0]?.hooks).toHaveLength(12);
    expect(internal.value.plugins[2]).toEqual({ name: 'vmq_config', type: 'module', hooks: ['change_config'] });
  });

  it('reads bridge show before and after the name column came', () => {
    expect(parseVmqBridgeShow(fixture('vernemq/bridge-show-pre-1.10.4.txt'), 0)).toEqual({
      status: 'ok',
      value: { bridges: [{ endpoint: '192.168.1.10:1883', bufferSize: 0, bufferMax: 0, bufferDropped: 0 }] },
    });
    expect(parseVmqBridgeShow(fixture('vernemq/bridge-show-1.10.4-plus.txt'), 0)).toEqual({
      status: 'ok',
      value: { bridges: [{ name: 'br0', endpoint: '10.42.0.1:31094', bufferSize: 0, bufferMax: 0, bufferDropped: 0, mailboxLength: 0 }] },
    });
    expect(parseVmqBridgeShow('', 0)).toEqual({ status: 'ok', value: { bridges: [] } });
    expect(parseVmqBridgeShow('', undefined)).toMatchObject({ status: 'unknown', reason: 'empty output' });
  });
});

describe('vmq-admin answers', () => {
  it('reads node history', () => {
    expect(parseVmqNodeHistory(fixture('vernemq/node-history-empty.synthetic.txt'), 0)).toEqual({ status: 'ok', value: 'empty_state' });
    expect(parseVmqNodeHistory(fixture('vernemq/node-history-existing.synthetic.txt'), 0)).toEqual({ status: 'ok', value: 'existing_state' });
    expect(parseVmqNodeHistory('{"text":"existing_state","type":"text"}', 0)).toEqual({ status: 'ok', value: 'existing_state' });
    expect(parseVmqNodeHistory('Usage: vmq-admin node <sub-command>\n', 0)).toMatchObject({ status: 'unknown' });
  });

  it('reads join results, including the non_empty_node refusal', () => {
    expect(parseVmqCommandResult(fixture('vernemq/join-done.txt'), 0)).toEqual({ status: 'ok', value: { outcome: 'done', message: 'Done' } });
    expect(parseVmqCommandResult(fixture('vernemq/join-non-empty-node.txt'), 0)).toMatchObject({
      status: 'ok',
      value: { outcome: 'failed', reason: 'non_empty_node' },
    });
    expect(parseVmqCommandResult("Couldn't join cluster due to not_reachable\n", 0)).toMatchObject({ status: 'ok', value: { outcome: 'failed', reason: 'not_reachable' } });
    expect(parseVmqCommandResult(fixture('vernemq/not-responding-to-pings-kubectl.txt'), 1)).toMatchObject({ status: 'unknown' });
  });

  it('reads vernemq ping both ways', () => {
    expect(parseVernemqPing(fixture('vernemq/ping-pong.synthetic.txt'), 0)).toEqual({ status: 'ok', value: { responding: true } });
    expect(parseVernemqPing(fixture('vernemq/not-responding-to-pings-kubectl.txt'), 1)).toEqual({
      status: 'ok',
      value: { responding: false, node: 'VerneMQ@vernemq-0.null.default.svc.cluster.local' },
    });
    expect(parseVernemqPing(fixture('shell/dash-not-found.txt'), 127)).toMatchObject({ status: 'unknown', reason: 'command not found: vmq-admin' });
    expect(parseVernemqPing('', 1)).toMatchObject({ status: 'unknown' });
  });

  it('finds the refused-join symptoms in the log', () => {
    expect(scanVernemqLog(fixture('vernemq/log-non-empty.txt') + fixture('vernemq/join-non-empty-node.txt'))).toEqual({
      nonEmptyJoinRefusals: ['VerneMQ@vernemq-2.vernemq-headless.namespace.svc.cluster.local'],
      nonEmptyNodeErrors: 1,
    });
  });
});
