import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderJsonTable, renderTable } from './output';

/** The writer reproduces real vmq-admin output (1.11+ layout) character for character. */

const fixture = (name: string) => readFileSync(new URL(`../../../../shared/stacks/parsers/fixtures/vernemq/${name}`, import.meta.url), 'utf8');

describe('vmq-admin output', () => {
  test('cluster show (VerneMQ 1.11+, docker-vernemq #304)', () => {
    const rows = [{ Node: 'VerneMQ@vernemq-0.vernemq-headless.vernemq.svc.cluster.local', Running: true }];
    expect(renderTable(['Node', 'Running'], rows)).toBe(fixture('cluster-show-1.11-one-node.txt'));
  });

  test('plugin show --internal: multi-line cells with their blank filler line', () => {
    const text = fixture('plugin-show-internal-1.11.txt');
    const plugins: Array<[string, string, Array<[string, string]>]> = [];
    for (const line of text.split('\n')) {
      const cells = /^\| (.*?) +\| (.*?) +\| (.*?) +\| (.*?) +\|$/.exec(line);
      if (!cells || cells[1] === 'Plugin') continue;
      if (cells[1] !== '') plugins.push([cells[1]!, cells[2]!, []]);
      if (cells[3] !== '') plugins.at(-1)![2].push([cells[3]!, cells[4]!]);
    }
    const rows = plugins.map(([plugin, type, hooks]) => ({
      Plugin: plugin,
      Type: type,
      'Hook(s)': `${hooks.map(([hook]) => hook).join('\n')}\n`,
      'M:F/A': `${hooks.map(([, mfa]) => mfa).join('\n')}\n`,
    }));
    expect(rows).toHaveLength(5);
    expect(renderTable(['Plugin', 'Type', 'Hook(s)', 'M:F/A'], rows)).toBe(text);
  });

  test('bridge show (1.10.4+ columns)', () => {
    const columns = ['name', 'endpoint', 'buffer size', 'buffer max', 'buffer dropped msgs', 'MQTT process mailbox len'];
    const row = { name: 'br0', endpoint: '10.42.0.1:31094', 'buffer size': 0, 'buffer max': 0, 'buffer dropped msgs': 0, 'MQTT process mailbox len': 0 };
    expect(renderTable(columns, [row])).toBe(fixture('bridge-show-1.10.4-plus.txt'));
  });

  test('--format=json is the HTTP API document, compact', () => {
    const expected = JSON.parse(fixture('cluster-show-json-http-api.json')) as unknown;
    const printed = renderJsonTable(['Node', 'Running'], [{ Node: 'VerneMQ@127.0.0.1', Running: true }]);
    expect(JSON.parse(printed)).toEqual(expected);
    expect(printed).toBe('{"table":[{"Node":"VerneMQ@127.0.0.1","Running":true}],"type":"table"}\n');
  });
});
