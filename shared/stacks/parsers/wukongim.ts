import { z } from 'zod';
import { errorMessage, healthWord, jsonObjectBody } from './http';
import type { HealthAnswer } from './health';
import { ok, unknown, type Parsed } from './result';
import { splitLines } from './text';

// WuKongIM marshals NodeConfig with `omitempty` on most fields: a zero value is left out, so a
// missing `online` means offline and a missing `is_leader` means follower.
const flag = z.number().int().optional().default(0);
const count = z.number().int().nonnegative().optional().default(0);
const nodeSchema = z.object({
  id: z.number().int().positive(),
  is_leader: flag,
  role: z.number().int().optional(),
  cluster_addr: z.string().optional().default(''),
  api_server_addr: z.string().optional(),
  online: flag,
  offline_count: count,
  last_offline: z.string().optional(),
  allow_vote: flag,
  slot_count: count,
  slot_leader_count: count,
  term: z.number().int().optional(),
  uptime: z.string().optional(),
  app_version: z.string().optional(),
  config_version: z.number().int().optional(),
  status: z.number().int().optional(),
  status_format: z.string().optional(),
});
const nodesSchema = z.object({ total: z.number().int().nonnegative(), data: z.array(nodeSchema).nullable() });

export interface WukongNode {
  id: number;
  isLeader: boolean;
  online: boolean;
  allowVote: boolean;
  clusterAddr: string;
  apiServerAddr?: string;
  offlineCount: number;
  lastOffline?: string;
  slotCount: number;
  slotLeaderCount: number;
  term?: number;
  uptime?: string;
  /** Empty on v2.1.1–v2.2.1: read `/varz` (version) instead. */
  appVersion?: string;
  configVersion?: number;
  role?: number;
  /** The node's join status (numeric, and WuKongIM's Chinese label: 已加入 joined, 加入中 joining, 将加入 will join). */
  joinStatus?: number;
  joinStatusLabel?: string;
}

/**
 * `GET /cluster/nodes` on a node's HTTP API: the members that node knows, with its view of each.
 * A 400 means a peer did not answer the fan-out; that is not a statement about membership.
 */
export function parseWukongClusterNodes(body: string, httpStatus: number): Parsed<{ total: number; nodes: WukongNode[] }> {
  if (httpStatus === 400) {
    const message = errorMessage(body);
    return unknown(`a peer did not answer the node query${message === undefined ? '' : `: ${message}`}`, body);
  }
  if (httpStatus !== 200) return unknown(`HTTP ${httpStatus}`, body);
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(object, body);
  const parsed = nodesSchema.safeParse(object);
  if (!parsed.success) return unknown(`not a /cluster/nodes answer: ${parsed.error.issues[0]?.message ?? ''}`, body);
  const nodes = (parsed.data.data ?? []).map((raw): WukongNode => {
    const node: WukongNode = {
      id: raw.id,
      isLeader: raw.is_leader === 1,
      online: raw.online === 1,
      allowVote: raw.allow_vote === 1,
      clusterAddr: raw.cluster_addr,
      offlineCount: raw.offline_count,
      slotCount: raw.slot_count,
      slotLeaderCount: raw.slot_leader_count,
    };
    if (raw.api_server_addr !== undefined && raw.api_server_addr !== '') node.apiServerAddr = raw.api_server_addr;
    if (raw.last_offline !== undefined && raw.last_offline !== '') node.lastOffline = raw.last_offline;
    if (raw.term !== undefined) node.term = raw.term;
    if (raw.uptime !== undefined && raw.uptime !== '') node.uptime = raw.uptime;
    if (raw.app_version !== undefined && raw.app_version !== '') node.appVersion = raw.app_version;
    if (raw.config_version !== undefined) node.configVersion = raw.config_version;
    if (raw.role !== undefined) node.role = raw.role;
    if (raw.status !== undefined) node.joinStatus = raw.status;
    if (raw.status_format !== undefined && raw.status_format !== '') node.joinStatusLabel = raw.status_format;
    return node;
  });
  return ok({ total: parsed.data.total, nodes });
}

/** `GET /varz`: the node's own version (the one to trust when `app_version` is empty). */
export function parseWukongVarz(body: string, httpStatus: number): Parsed<{ serverId?: string; version: string; uptime?: string; connections?: number }> {
  if (httpStatus !== 200) return unknown(`HTTP ${httpStatus}${errorMessage(body) === undefined ? '' : `: ${errorMessage(body)}`}`, body);
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(object, body);
  if (typeof object.version !== 'string' || object.version === '') return unknown('no version in /varz', body);
  const varz: { serverId?: string; version: string; uptime?: string; connections?: number } = { version: object.version };
  if (typeof object.server_id === 'string') varz.serverId = object.server_id;
  if (typeof object.uptime === 'string') varz.uptime = object.uptime;
  if (typeof object.connections === 'number') varz.connections = object.connections;
  return ok(varz);
}

/** `GET /health`: 200 `{"status":"ok"}`, or 500 with the reason (`slot leader not found`, …). */
export function parseWukongHealth(body: string, httpStatus: number): Parsed<HealthAnswer> {
  if (httpStatus === 200) {
    const object = jsonObjectBody(body);
    if (typeof object !== 'string' && healthWord(object.status) === 'ok') return ok({ healthy: true, reasons: [] });
    return unknown('HTTP 200 without {"status":"ok"}', body);
  }
  if (httpStatus === 500) {
    const message = errorMessage(body);
    if (message !== undefined) return ok({ healthy: false, reasons: [message] });
  }
  return unknown(`unexpected health answer (HTTP ${httpStatus})`, body);
}

export interface WukongLogScan {
  /** From the `Version:  v2.1.2-20250120` banner (the last one, after restarts). */
  version?: string;
  /** `Server is ready` came after the last start banner. */
  ready: boolean;
  /** The node panicked waiting for its slots (`wait all slots ready timeout`) after the last start. */
  slotsTimeout: boolean;
}

/** Reads the start banner and readiness lines out of a WuKongIM log excerpt. */
export function scanWukongLog(text: string): WukongLogScan {
  const scan: WukongLogScan = { ready: false, slotsTimeout: false };
  for (const line of splitLines(text)) {
    const version = /\bVersion:\s+(v\d[\w.+-]*)/.exec(line);
    if (version !== null) {
      // A new start: what came before belongs to the previous run.
      scan.version = version[1]!;
      scan.ready = false;
      scan.slotsTimeout = false;
    }
    if (line.includes('Server is ready')) scan.ready = true;
    if (line.includes('wait all slots ready timeout')) scan.slotsTimeout = true;
  }
  return scan;
}
