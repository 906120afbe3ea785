import { parse, stringify } from 'yaml';

/**
 * WuKongIM's files on a lab node (a SIMULATION): `wk.yaml` as the admin writes it, and the
 * cluster configuration the node keeps on disk between runs (`<rootDir>/cluster/config/remote.json`,
 * FIELD-NOTES §2). The remote.json layout is the lab's own: the real file's fields are not documented.
 */

export const WUKONGIM_HOME = '/home/wukongim';
export const WUKONGIM_BINARY = `${WUKONGIM_HOME}/wukongim`;
export const WUKONGIM_CONFIG = `${WUKONGIM_HOME}/wk.yaml`;
export const WUKONGIM_PID_FILE = `${WUKONGIM_HOME}/wukongim.pid`;
export const WUKONGIM_ROOT_DIR = `${WUKONGIM_HOME}/data`;
export const WUKONGIM_REMOTE_JSON = `${WUKONGIM_ROOT_DIR}/cluster/config/remote.json`;
export const WUKONGIM_UNIT = 'wukongim.service';

export const WUKONGIM_PORTS = { api: 5001, tcp: 5100, ws: 5200, manager: 5300, cluster: 11110 } as const;
export const DEFAULT_SLOT_COUNT = 64;

export interface InitNode {
  id: number;
  /** Host name (or address) of the node's cluster listener. */
  host: string;
  port: number;
}

export interface WkConfig {
  nodeId: number;
  initNodes: InitNode[];
  slotCount: number;
  apiUrl: string;
}

/** The wk.yaml a node of a 3-node cluster runs with. */
export function renderWkYaml(nodeId: number, hostOf: (id: number) => string, ids: readonly number[], slotCount = DEFAULT_SLOT_COUNT): string {
  const host = hostOf(nodeId);
  return stringify({
    mode: 'release',
    rootDir: WUKONGIM_ROOT_DIR,
    addr: `tcp://0.0.0.0:${WUKONGIM_PORTS.tcp}`,
    httpAddr: `0.0.0.0:${WUKONGIM_PORTS.api}`,
    wsAddr: `ws://0.0.0.0:${WUKONGIM_PORTS.ws}`,
    external: { ip: host, tcpAddr: `${host}:${WUKONGIM_PORTS.tcp}`, wsAddr: `ws://${host}:${WUKONGIM_PORTS.ws}`, apiUrl: `http://${host}:${WUKONGIM_PORTS.api}` },
    manager: { on: true, addr: `0.0.0.0:${WUKONGIM_PORTS.manager}` },
    logger: { level: 'info', dir: `${WUKONGIM_HOME}/logs` },
    cluster: {
      nodeId,
      serverAddr: `${host}:${WUKONGIM_PORTS.cluster}`,
      apiUrl: `http://${host}:${WUKONGIM_PORTS.api}`,
      initNodes: ids.map((id) => `${id}@${hostOf(id)}:${WUKONGIM_PORTS.cluster}`).join(' '),
      slotCount,
      slotReplicaCount: 3,
    },
  });
}

/** Reads the keys the lab honours; throws with a Go-like message when the file cannot be used. */
export function readWkYaml(text: string): WkConfig {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`While parsing config: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
  }
  const cluster = isRecord(document) && isRecord(document.cluster) ? document.cluster : undefined;
  const nodeId = Number(cluster?.nodeId);
  if (!cluster || !Number.isInteger(nodeId) || nodeId <= 0) throw new Error('cluster.nodeId is required');
  const initNodes = String(cluster.initNodes ?? '')
    .split(/\s+/)
    .filter((entry) => entry !== '')
    .map((entry): InitNode => {
      const match = /^(\d+)@([^:\s]+)(?::(\d+))?$/.exec(entry);
      if (!match) throw new Error(`invalid cluster.initNodes entry: ${entry}`);
      return { id: Number(match[1]), host: match[2]!, port: Number(match[3] ?? WUKONGIM_PORTS.cluster) };
    });
  const slotCount = cluster.slotCount === undefined ? DEFAULT_SLOT_COUNT : Number(cluster.slotCount);
  const apiUrl = typeof cluster.apiUrl === 'string' ? cluster.apiUrl : '';
  return { nodeId, initNodes: initNodes.length > 0 ? initNodes : [{ id: nodeId, host: '127.0.0.1', port: WUKONGIM_PORTS.cluster }], slotCount, apiUrl };
}

/** The cluster configuration a node persists: its members, the config version and the Raft term. */
export interface ClusterConfig {
  version: number;
  term: number;
  nodes: InitNode[];
}

export function renderRemoteJson(config: ClusterConfig): string {
  return `${JSON.stringify(
    {
      version: config.version,
      term: config.term,
      nodes: config.nodes.map((node) => ({ id: node.id, clusterAddr: `tcp://${node.host}:${node.port}`, allowVote: true })),
    },
    null,
    2,
  )}\n`;
}

export function readRemoteJson(text: string): ClusterConfig | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value) || !Array.isArray(value.nodes)) return undefined;
    const nodes = value.nodes.flatMap((node): InitNode[] => {
      if (!isRecord(node) || typeof node.clusterAddr !== 'string') return [];
      const match = /^tcp:\/\/([^:]+):(\d+)$/.exec(node.clusterAddr);
      return match ? [{ id: Number(node.id), host: match[1]!, port: Number(match[2]) }] : [];
    });
    return { version: Number(value.version) || 0, term: Number(value.term) || 0, nodes };
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
