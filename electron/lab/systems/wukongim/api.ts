import type { LabHttpHandler, LabHttpResponse } from '../../host/endpoints';
import { WUKONGIM_PORTS, type InitNode } from './config';
import { reportsAppVersion, type NodeRun, type WukongimCluster, type WukongimNode } from './cluster';

/**
 * A lab node's HTTP API on 5001 (a SIMULATION): `/cluster/nodes` with Go's `omitempty` (zero values
 * left out, so a missing `online` means offline), `/varz`, `/health`. Shapes follow WuKongIM's
 * `NodeConfig` / `Varz` structs and gin's error answers, as in the parsers' fixtures.
 */

const json = (status: number, body: unknown): LabHttpResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

const error = (status: number, msg: string): LabHttpResponse => json(status, { msg, status });

export function wukongimApi(cluster: WukongimCluster, id: number): LabHttpHandler {
  return (request) => {
    const node = cluster.node(id);
    const run = node.run;
    if (!run) return error(503, 'server is not running');
    if (request.method !== 'GET') return { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' };
    switch (request.path) {
      case '/cluster/nodes':
        return clusterNodes(cluster, node, run);
      case '/varz': {
        const wanted = request.query.get('node_id');
        if (wanted === null || wanted === '' || Number(wanted) === id) return json(200, varzOf(node, run));
        const target = cluster.nodes.get(Number(wanted));
        if (!run.config.nodes.some((member) => member.id === Number(wanted))) return error(400, `node[${wanted}] not found`);
        if (!run.peers.get(Number(wanted))?.online || !target?.apiListening || !target.run) return error(400, 'context deadline exceeded');
        return json(200, varzOf(target, target.run));
      }
      case '/health':
        if (run.slotCount === 0) return error(500, 'no slots');
        if (run.leaderId === undefined) return error(500, 'slot leader not found');
        return json(200, { status: 'ok' });
      default:
        return { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' };
    }
  };
}

function clusterNodes(cluster: WukongimCluster, node: WukongimNode, run: NodeRun): LabHttpResponse {
  const members = [...run.config.nodes].sort((a, b) => a.id - b.id);
  const onlineIds = members.filter((member) => member.id === node.id || run.peers.get(member.id)?.online).map((member) => member.id);
  // The handler asks every online member for its details; one that does not answer fails the call.
  for (const peerId of onlineIds) {
    if (peerId !== node.id && !cluster.nodes.get(peerId)?.apiListening) return error(400, 'context deadline exceeded');
  }
  const data = members.map((member) => nodeConfigOf(cluster, node, run, member, onlineIds));
  return json(200, { total: data.length, data });
}

/** One entry as the answering node sees it; `undefined` fields vanish from the JSON like Go's omitempty. */
function nodeConfigOf(cluster: WukongimCluster, node: WukongimNode, run: NodeRun, member: InitNode, onlineIds: number[]) {
  const online = onlineIds.includes(member.id);
  const peer = online ? cluster.nodes.get(member.id) : undefined;
  const peerRun = member.id === node.id ? run : peer?.run;
  const stats = run.peers.get(member.id);
  const slotLeaders = run.leaderId !== undefined && online ? shareOf(run.slotCount, onlineIds, member.id) : 0;
  return {
    id: member.id,
    is_leader: run.leaderId === member.id ? 1 : undefined,
    role: 1,
    cluster_addr: `tcp://${member.host}:${member.port}`,
    api_server_addr: `http://${member.host}:${WUKONGIM_PORTS.api}`,
    online: online ? 1 : undefined,
    offline_count: stats?.offlineCount || undefined,
    last_offline: stats?.lastOfflineMs === undefined ? undefined : node.host.clock.format('%Y-%m-%d %H:%M', stats.lastOfflineMs),
    allow_vote: 1,
    slot_count: run.slotCount || undefined,
    term: run.config.term || undefined,
    slot_leader_count: slotLeaders || undefined,
    uptime: peerRun && online ? goUptime((peer ?? node).host.clock.now() - peerRun.startedAtMs) : undefined,
    app_version: peerRun && online && reportsAppVersion(run.version) ? peerRun.version : undefined,
    config_version: run.config.version || undefined,
    status: 2,
    status_format: '已加入',
  };
}

/** Slots spread over the online members, the first ones taking the remainder (64 over 3: 22, 21, 21). */
function shareOf(slots: number, ids: readonly number[], id: number): number {
  const sorted = [...ids].sort((a, b) => a - b);
  const index = sorted.indexOf(id);
  return Math.floor(slots / sorted.length) + (index < slots % sorted.length ? 1 : 0);
}

function varzOf(node: WukongimNode, run: NodeRun) {
  const host = node.host.name;
  const seconds = Math.max(0, Math.floor((node.host.clock.now() - run.startedAtMs) / 1000));
  const connections = 10 + (seconds % 7);
  return {
    server_id: String(node.id),
    server_name: 'WuKongIM',
    version: run.version,
    connections,
    user_handler_count: connections - 2,
    user_handler_conn_count: connections,
    uptime: goUptime(seconds * 1000),
    goroutine: 400 + (seconds % 50),
    mem: 180_000_000 + (seconds % 1000) * 4096,
    cpu: 1.5,
    in_msgs: seconds * 3,
    out_msgs: seconds * 3,
    in_bytes: seconds * 540,
    out_bytes: seconds * 530,
    slow_clients: 0,
    retry_queue: 0,
    tcp_addr: `${host}:${WUKONGIM_PORTS.tcp}`,
    ws_addr: `ws://${host}:${WUKONGIM_PORTS.ws}`,
    wss_addr: '',
    manager_addr: `http://${host}:${WUKONGIM_PORTS.manager}`,
    manager_on: 1,
    commit: '',
    commit_date: '',
    tree_state: '',
    api_url: `http://${host}:${WUKONGIM_PORTS.api}`,
    manager_uid: '____manager',
    manager_token_on: 0,
    conversation_cache_count: 0,
  };
}

/** `myUptime` in WuKongIM's varz.go: `2h3m5s`, `3d4h0m12s`. */
export function goUptime(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const mins = Math.floor(secs / 60);
  const hrs = Math.floor(mins / 60);
  const days = Math.floor(hrs / 24);
  const years = Math.floor(days / 365);
  if (years > 0) return `${years}y${days % 365}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (days > 0) return `${days}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (hrs > 0) return `${hrs}h${mins % 60}m${secs % 60}s`;
  if (mins > 0) return `${mins}m${secs % 60}s`;
  return `${secs}s`;
}
