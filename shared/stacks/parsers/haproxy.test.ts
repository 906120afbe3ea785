import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHaproxyCommandReply, parseHaproxyStat, parseHaproxyStatus, type HaproxyStatRow } from './haproxy';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function rowsOf(name: string): HaproxyStatRow[] {
  const parsed = parseHaproxyStat(fixture(name), 0);
  if (parsed.status !== 'ok') throw new Error(`${name}: ${parsed.reason}`);
  return parsed.value;
}

const row = (rows: HaproxyStatRow[], proxy: string, server: string) => rows.find((r) => r.proxy === proxy && r.server === server);

describe('HAProxy show stat', () => {
  it('reads every state of a real HAProxy 2.6 by column name', () => {
    const rows = rowsOf('haproxy/show-stat-2.6-states.csv');
    expect(rows).toHaveLength(14);
    expect(row(rows, 'rocketchat_front', 'FRONTEND')).toMatchObject({ kind: 'frontend', status: { base: 'OPEN' }, type: 0 });
    expect(row(rows, 'rocketchat', 'rc1')).toMatchObject({ kind: 'server', status: { base: 'UP' }, weight: 1, sessions: 0, checkStatus: 'L7OK' });
    expect(row(rows, 'rocketchat', 'rc2')).toMatchObject({ status: { base: 'DOWN' }, checkStatus: 'L4CON' });
    expect(row(rows, 'rocketchat', 'rc3')?.status).toEqual({ raw: 'DRAIN', base: 'DRAIN' });
    expect(row(rows, 'rocketchat', 'rc4')?.status.base).toBe('MAINT');
    expect(row(rows, 'rocketchat', 'rc5')?.status.base).toBe('NOLB');
    expect(row(rows, 'rocketchat', 'rc6')?.status).toEqual({ raw: 'MAINT (via rocketchat/rc4)', base: 'MAINT', via: 'rocketchat/rc4' });
    expect(row(rows, 'rocketchat', 'rc7')?.status).toEqual({ raw: 'no check', base: 'NO CHECK' });
    expect(row(rows, 'presence', 'presence1')?.status).toEqual({ raw: 'UP 2/3', base: 'UP', transition: { step: 2, of: 3, towards: 'DOWN' } });
    expect(row(rows, 'rocketchat', 'BACKEND')).toMatchObject({ kind: 'backend', status: { base: 'UP' }, weight: 2 });
    expect(row(rows, 'empty_backend', 'BACKEND')).toMatchObject({ kind: 'backend', status: { base: 'DOWN' }, weight: 0 });
  });

  it('reads servers on their way back up', () => {
    const rows = rowsOf('haproxy/show-stat-2.6-transitions.csv');
    expect(row(rows, 'rocketchat', 'rc2')?.status.transition).toEqual({ step: 1, of: 2, towards: 'UP' });
    expect(row(rows, 'presence', 'presence2')?.status).toMatchObject({ base: 'DOWN', transition: { step: 1, of: 3, towards: 'UP' } });
  });

  it('reads older column sets: telegraf 1.8 sample with listeners and a leading blank line', () => {
    const rows = rowsOf('haproxy/show-stat-telegraf-sample.csv');
    expect(rows).toHaveLength(13);
    expect(row(rows, 'http-in', 'IPv4-direct')).toMatchObject({ kind: 'listener', status: { base: 'OPEN' } });
    expect(row(rows, 'www', 'bck')).toMatchObject({ kind: 'server', status: { base: 'UP' }, checkStatus: 'L7OK', lastChangeSeconds: 5218087 });
    expect(row(rows, 'demo', 'BACKEND')).toMatchObject({ kind: 'backend', sessions: 1 });
  });

  it('reads HAProxy 1.4 columns, quoted fields and odd spellings from DataDog mocks', () => {
    const statuses = rowsOf('haproxy/show-stat-datadog-statuses.csv');
    expect(row(statuses, 'b', 'i-1')?.status).toMatchObject({ base: 'UP', transition: { step: 1, of: 2 } });
    expect(row(statuses, 'b', 'i-4')?.status.base).toBe('DOWN');
    expect(row(statuses, 'b', 'i-5')?.status.base).toBe('MAINT');
    const quoted = rowsOf('haproxy/show-stat-datadog-mock-quoted.csv');
    expect(row(quoted, 'b', 'BACKEND')?.columns.hrsp_2xx).toBe('space, afterspace');
    expect(row(quoted, 'b', 'BACKEND')?.columns.hrsp_3xx).toBe('');
    expect(row(quoted, 'be_edge_http_sre-production_elk-kibana', 'i-2')?.status).toEqual({ raw: 'DOWN (agent)', base: 'DOWN', detail: 'agent' });
    expect(row(quoted, 'be_edge_http_sre-production_elk-kibana', 'i-3')?.status.base).toBe('NO CHECK');
  });

  it('finds the same state whatever the column order', () => {
    const original = fixture('haproxy/show-stat-datadog-statuses.csv').trim().split('\n');
    const reordered = original.map((line) => {
      const cells = line.replace(/^# /, '').split(',');
      const moved = [cells[17], ...cells.slice(0, 17), ...cells.slice(18)].join(',');
      return line.startsWith('# ') ? `# ${moved}` : moved;
    });
    const parsed = parseHaproxyStat(`${reordered.join('\n')}\n`);
    expect(parsed.status).toBe('ok');
    if (parsed.status === 'ok') expect(row(parsed.value, 'b', 'i-4')?.status.base).toBe('DOWN');
  });

  it('says unknown, never DOWN, for output it cannot read', () => {
    const full = fixture('haproxy/show-stat-2.6-states.csv');
    expect(parseHaproxyStat(full.slice(0, full.indexOf('rocketchat,rc2') + 40)).status).toBe('unknown');
    expect(parseHaproxyStat(fixture('haproxy/show-stat-headerless-prometheus-exporter.csv'))).toMatchObject({
      status: 'unknown',
      reason: 'no "# pxname,svname,…" header line',
    });
    expect(parseHaproxyStat(fixture('haproxy/unknown-command.txt'))).toMatchObject({ status: 'unknown', reason: 'the runtime API did not know the command' });
    expect(parseHaproxyStat(fixture('health/haproxy-503-html-with-code.txt'))).toMatchObject({ status: 'unknown', reason: 'HTML instead of CSV' });
    expect(parseHaproxyStat(fixture('shell/dash-not-found.txt'), 127)).toMatchObject({ status: 'unknown', reason: 'command not found: vmq-admin' });
    expect(parseHaproxyStat('', 0)).toMatchObject({ status: 'unknown', reason: 'empty output' });
  });

  it('keeps an unknown status word as raw text without a base state', () => {
    expect(parseHaproxyStatus('EXPLODED')).toEqual({ raw: 'EXPLODED' });
  });
});

describe('HAProxy runtime command replies', () => {
  it('reads the empty reply of set server as done', () => {
    expect(parseHaproxyCommandReply(fixture('haproxy/set-server-state-reply.txt'), 0)).toEqual({ status: 'ok', value: { done: true } });
    expect(parseHaproxyCommandReply('No such server.\n', 0)).toMatchObject({ status: 'unknown', reason: 'No such server.' });
  });
});
