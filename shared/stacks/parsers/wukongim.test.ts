import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWukongClusterNodes, parseWukongHealth, parseWukongVarz, scanWukongLog } from './wukongim';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('WuKongIM /cluster/nodes', () => {
  it('fills omitted zero values: a missing online means offline, a missing is_leader a follower', () => {
    const parsed = parseWukongClusterNodes(fixture('wukongim/cluster-nodes-three.synthetic.json'), 200);
    expect(parsed.status).toBe('ok');
    if (parsed.status !== 'ok') return;
    expect(parsed.value.total).toBe(3);
    const [leader, follower, offline] = parsed.value.nodes;
    expect(leader).toMatchObject({ id: 1001, isLeader: true, online: true, appVersion: 'v2.1.2-20250120', slotLeaderCount: 22, joinStatusLabel: '已加入' });
    expect(follower).toMatchObject({ id: 1002, isLeader: false, online: true, offlineCount: 0 });
    expect(follower?.appVersion).toBeUndefined();
    expect(offline).toMatchObject({ id: 1003, isLeader: false, online: false, offlineCount: 2, lastOffline: '2025-01-21 09:14' });
    expect(offline?.uptime).toBeUndefined();
  });

  it('reports the one-of-three view of issue #310 as it is', () => {
    expect(parseWukongClusterNodes(fixture('wukongim/cluster-nodes-one-of-three.synthetic.json'), 200)).toMatchObject({
      status: 'ok',
      value: { total: 1, nodes: [{ id: 1001, isLeader: true, online: true }] },
    });
  });

  it('reads a 400 as "a peer did not answer", not as a membership fact', () => {
    expect(parseWukongClusterNodes(fixture('wukongim/cluster-nodes-peer-timeout.synthetic.json'), 400)).toMatchObject({
      status: 'unknown',
      reason: 'a peer did not answer the node query: context deadline exceeded',
    });
  });

  it('says unknown for HTML, truncation and foreign JSON', () => {
    expect(parseWukongClusterNodes(fixture('health/haproxy-503-html-with-code.txt'), 200)).toMatchObject({ status: 'unknown', reason: 'HTML instead of JSON' });
    expect(parseWukongClusterNodes(fixture('wukongim/cluster-nodes-three.synthetic.json').slice(0, 300), 200)).toMatchObject({
      status: 'unknown',
      reason: 'JSON cut short (truncated?)',
    });
    expect(parseWukongClusterNodes('{"status":"ok"}', 200).status).toBe('unknown');
    expect(parseWukongClusterNodes('{"total":1,"data":[{"id":"1001"}]}', 200).status).toBe('unknown');
  });
});

describe('WuKongIM /varz, /health and logs', () => {
  it('reads the version from /varz', () => {
    expect(parseWukongVarz(fixture('wukongim/varz.synthetic.json'), 200)).toEqual({
      status: 'ok',
      value: { serverId: '1001', version: 'v2.1.2-20250120', uptime: '2h3m5s', connections: 12 },
    });
    expect(parseWukongVarz('{"msg":"node not found","status":400}', 400)).toMatchObject({ status: 'unknown', reason: 'HTTP 400: node not found' });
  });

  it('reads healthy and unhealthy /health answers', () => {
    expect(parseWukongHealth(fixture('wukongim/health-ok.synthetic.json'), 200)).toEqual({ status: 'ok', value: { healthy: true, reasons: [] } });
    expect(parseWukongHealth(fixture('wukongim/health-slot-leader.synthetic.json'), 500)).toEqual({
      status: 'ok',
      value: { healthy: false, reasons: ['slot leader not found'] },
    });
    expect(parseWukongHealth('no slots', 500)).toEqual({ status: 'ok', value: { healthy: false, reasons: ['no slots'] } });
    expect(parseWukongHealth('<html><body>502 Bad Gateway</body></html>', 500).status).toBe('unknown');
    expect(parseWukongHealth('', 502).status).toBe('unknown');
  });

  it('reads the start banner, readiness and the slots timeout of the last start', () => {
    expect(scanWukongLog(fixture('wukongim/log-start.synthetic.txt'))).toEqual({ version: 'v2.1.2-20250120', ready: true, slotsTimeout: false });
    expect(scanWukongLog(fixture('wukongim/log-slots-timeout.synthetic.txt'))).toEqual({ version: 'v2.1.2-20250120', ready: false, slotsTimeout: true });
    const restarted = fixture('wukongim/log-slots-timeout.synthetic.txt') + fixture('wukongim/log-start.synthetic.txt').replace('v2.1.2-20250120', 'v2.1.3-20250301');
    expect(scanWukongLog(restarted)).toEqual({ version: 'v2.1.3-20250301', ready: true, slotsTimeout: false });
  });
});
