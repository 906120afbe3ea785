import { posix } from 'node:path';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';
import {
  readRemoteJson,
  readWkYaml,
  renderRemoteJson,
  WUKONGIM_CONFIG,
  WUKONGIM_HOME,
  WUKONGIM_PID_FILE,
  WUKONGIM_REMOTE_JSON,
  WUKONGIM_UNIT,
  type ClusterConfig,
  type InitNode,
} from './config';

/**
 * WuKongIM's cluster membership, Raft-ish, as the lab simulates it (a SIMULATION, FIELD-NOTES §2):
 *
 * - A running node holds a cluster configuration (members, config version, term), loaded at start
 *   from its `remote.json` (or from `cluster.initNodes` on first start) and persisted on change.
 * - Two running nodes are connected when they speak the same cluster protocol (same major.minor
 *   version) and each lists the other as a member. Connected nodes form a group; a group with a
 *   quorum of its configuration's members elects a leader (the current one if it is still there,
 *   else the lowest id, with a new term) and replicates its newest configuration to its members.
 * - A node other than the seed (the first of `initNodes`, 1001) joins through the seed at start, and
 *   only then: if the seed is up ("Server is ready") and speaks its protocol, the seed adds it and both
 *   take the new configuration. Otherwise the node comes up with whatever configuration it had.
 * - A starting node says `Server is ready` once its group has a leader (its slots are served), or
 *   panics with `wait all slots ready timeout`.
 *
 * That is what makes the restart order matter in `wukongim-split`: the seed must run the new
 * version and be ready before each other node restarts, or that node keeps its stale view.
 */

export interface WukongimTiming {
  /** From exec until the node starts waiting for its slots. */
  startupMs: number;
  /** How long a starting node waits for a slot leader before it panics. */
  slotsTimeoutMs: number;
  /** From SIGTERM to exit. */
  stopMs: number;
}

export const defaultWukongimTiming: WukongimTiming = { startupMs: 2_500, slotsTimeoutMs: 60_000, stopMs: 400 };

type Phase = 'starting' | 'waiting-slots' | 'ready' | 'stopping';

interface PeerStats {
  online: boolean;
  offlineCount: number;
  lastOfflineMs?: number;
}

/** One run of a node's process. */
export interface NodeRun {
  readonly ctx: ProcessContext;
  readonly version: string;
  readonly startedAtMs: number;
  phase: Phase;
  config: ClusterConfig;
  slotCount: number;
  leaderId: number | undefined;
  peers: Map<number, PeerStats>;
}

export class WukongimNode {
  readonly id: number;
  readonly host: LabHost;
  readonly #stopMs: number;
  run: NodeRun | undefined;

  constructor(id: number, host: LabHost, stopMs: number) {
    this.id = id;
    this.host = host;
    this.#stopMs = stopMs;
  }

  /** The HTTP API answers once the node is up and until it starts shutting down. */
  get apiListening(): boolean {
    return this.run?.phase === 'ready';
  }

  log(message: string, priority?: number): void {
    this.run?.ctx.log(message, priority);
  }

  /** SIGTERM as `./wukongim stop` sends it: shut down cleanly, exit 0. */
  terminate(): void {
    const run = this.run;
    if (!run || run.phase === 'stopping') return;
    run.phase = 'stopping';
    run.ctx.log('Server is stopping...');
    run.ctx.after(this.#stopMs, () => run.ctx.exit(0));
  }
}

/** `v2.1.2-20250120` -> `v2.1`: nodes of different minor versions do not understand each other's cluster messages. */
export function protocolOf(version: string): string {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  return match ? `v${match[1]}.${match[2]}` : version;
}

/** v2.1.1 to v2.2.1 leave `app_version` empty in /cluster/nodes (FIELD-NOTES §2). */
export function reportsAppVersion(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return true;
  const n = Number(match[1]) * 1_000_000 + Number(match[2]) * 1_000 + Number(match[3]);
  return n < 2_001_001 || n > 2_002_001;
}

export class WukongimCluster {
  readonly nodes = new Map<number, WukongimNode>();
  readonly timing: WukongimTiming;

  constructor(timing: Partial<WukongimTiming> = {}) {
    this.timing = { ...defaultWukongimTiming, ...timing };
  }

  add(id: number, host: LabHost): WukongimNode {
    const node = new WukongimNode(id, host, this.timing.stopMs);
    this.nodes.set(id, node);
    return node;
  }

  node(id: number): WukongimNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`No WuKongIM node ${id} in the lab`);
    return node;
  }

  /** What the node's process does when the unit runs it. */
  behaviour(id: number): ProcessBehaviour {
    return {
      start: (ctx) => this.#start(this.node(id), ctx),
      stop: () => this.node(id).terminate(),
    };
  }

  #start(node: WukongimNode, ctx: ProcessContext): void {
    const vfs = node.host.vfs;
    const version = ctx.manifest?.version ?? 'unknown';
    const extra = ctx.manifest?.extra ?? {};
    if (!ctx.resumed) {
      ctx.log(`Version:  ${version}`);
      ctx.log(`Git:      ${String(extra.gitTag ?? version.split('-')[0])}`);
      ctx.log(`Build:    ${String(extra.buildDate ?? '')}`);
    }
    let configText: string;
    const configPath = configPathOf(ctx.argv);
    try {
      configText = vfs.readFile(configPath).toString('utf8');
    } catch {
      ctx.log(`panic: read config file error: open ${configPath}: no such file or directory`, 2);
      ctx.exit(2);
      return;
    }
    let wk;
    try {
      wk = readWkYaml(configText);
    } catch (error) {
      ctx.log(`panic: read config file error: ${error instanceof Error ? error.message : String(error)}`, 2);
      ctx.exit(2);
      return;
    }
    const stored = vfs.exists(WUKONGIM_REMOTE_JSON) ? readRemoteJson(vfs.readFile(WUKONGIM_REMOTE_JSON).toString('utf8')) : undefined;
    const config: ClusterConfig = stored ?? { version: 1, term: 0, nodes: wk.initNodes };
    const unit = node.host.services.unit(WUKONGIM_UNIT);
    const run: NodeRun = {
      ctx,
      version,
      startedAtMs: ctx.resumed ? (unit.execMain.startMs ?? ctx.clock.now()) : ctx.clock.now(),
      phase: ctx.resumed ? 'ready' : 'starting',
      config,
      slotCount: wk.slotCount,
      leaderId: undefined,
      // A peer counts as gone offline only after this run has seen it online.
      peers: new Map(),
    };
    node.run = run;
    vfs.writeFile(WUKONGIM_PID_FILE, `${ctx.pid}`);
    ctx.signal.addEventListener('abort', () => {
      if (node.run !== run) return;
      node.run = undefined;
      if (vfs.exists(WUKONGIM_PID_FILE) && vfs.readFile(WUKONGIM_PID_FILE).toString('utf8').trim() === String(ctx.pid)) vfs.unlink(WUKONGIM_PID_FILE);
      this.recompute();
    });
    // Type=forking: the daemon is up as far as systemd knows once the parent has written the pid file.
    ctx.ready();
    if (ctx.resumed) {
      this.recompute();
      return;
    }
    const seed = wk.initNodes[0]?.id;
    if (seed !== undefined && seed !== node.id) this.#join(node, run, seed, wk.initNodes);
    this.recompute();
    ctx.after(this.timing.startupMs, () => {
      run.phase = 'waiting-slots';
      ctx.log('INFO\tcluster\twaiting for all slots to be ready');
      this.recompute();
    });
    ctx.after(this.timing.startupMs + this.timing.slotsTimeoutMs, () => {
      if (run.phase === 'ready' || run.phase === 'stopping') return;
      ctx.log('panic: wait all slots ready timeout', 2);
      ctx.exit(2);
    });
  }

  /** Joining through the seed node, at start only (see the class comment). */
  #join(node: WukongimNode, run: NodeRun, seedId: number, initNodes: readonly InitNode[]): void {
    const seed = this.nodes.get(seedId)?.run;
    const failed = (reason: string) => run.ctx.log(`WARN\tcluster\tjoin via seed node ${seedId} failed\t{"error": "${reason}"}`, 4);
    if (!seed || seed.phase !== 'ready') {
      failed(`seed node ${seedId} is not ready`);
      return;
    }
    if (protocolOf(seed.version) !== protocolOf(run.version)) {
      failed(`cluster protocol mismatch: seed runs ${seed.version}, this node ${run.version}`);
      return;
    }
    const self = initNodes.find((member) => member.id === node.id) ?? { id: node.id, host: node.host.name, port: 11110 };
    const members = seed.config.nodes.some((member) => member.id === node.id) ? seed.config.nodes : [...seed.config.nodes, self];
    const config: ClusterConfig = { version: seed.config.version + 1, term: seed.config.term, nodes: [...members] };
    seed.config = { ...config, nodes: [...config.nodes] };
    run.config = config;
    this.#persist(this.node(seedId), seed);
    this.#persist(node, run);
    run.ctx.log(`INFO\tcluster\tjoined the cluster through seed node ${seedId}\t{"configVersion": ${config.version}}`);
    seed.ctx.log(`INFO\tcluster\tnode ${node.id} joined\t{"configVersion": ${config.version}}`);
  }

  #persist(node: WukongimNode, run: NodeRun): void {
    const vfs = node.host.vfs;
    vfs.mkdir(posix.dirname(WUKONGIM_REMOTE_JSON), { parents: true });
    vfs.writeFile(WUKONGIM_REMOTE_JSON, renderRemoteJson(run.config));
  }

  /** Re-derives groups, leaders and terms after any change (a start, a join, an exit). */
  recompute(): void {
    const running = [...this.nodes.values()].filter((node) => node.run !== undefined);
    const connected = (a: WukongimNode, b: WukongimNode): boolean =>
      protocolOf(a.run!.version) === protocolOf(b.run!.version) &&
      a.run!.config.nodes.some((member) => member.id === b.id) &&
      b.run!.config.nodes.some((member) => member.id === a.id);
    const seen = new Set<number>();
    for (const start of running) {
      if (seen.has(start.id)) continue;
      const group: WukongimNode[] = [];
      const queue = [start];
      seen.add(start.id);
      while (queue.length > 0) {
        const current = queue.shift()!;
        group.push(current);
        for (const other of running) {
          if (seen.has(other.id) || !connected(current, other)) continue;
          seen.add(other.id);
          queue.push(other);
        }
      }
      this.#settle(group);
    }
  }

  #settle(group: WukongimNode[]): void {
    const runs = group.map((node) => node.run!);
    const newest = runs.reduce((a, b) => (b.config.version > a.config.version ? b : a)).config;
    const ids = new Set(group.map((node) => node.id));
    for (const node of group) {
      const run = node.run!;
      if (run.config.version < newest.version && newest.nodes.some((member) => member.id === node.id)) {
        run.config = { ...newest, nodes: [...newest.nodes] };
        this.#persist(node, run);
      }
    }
    const quorum = Math.floor(newest.nodes.length / 2) + 1;
    const maxTerm = Math.max(...runs.map((run) => run.config.term));
    const current = runs.map((run) => run.leaderId).find((id) => id !== undefined && ids.has(id));
    let leader: number | undefined;
    let term = maxTerm;
    if (group.length >= quorum) {
      leader = current ?? Math.min(...ids);
      if (current === undefined) term = maxTerm + 1;
    }
    for (const node of group) {
      const run = node.run!;
      const elected = leader !== undefined && run.leaderId !== leader;
      run.leaderId = leader;
      if (run.config.term !== term) {
        run.config.term = term;
        this.#persist(node, run);
      }
      if (elected) run.ctx.log(`INFO\traft\tnode ${leader} is the leader\t{"term": ${term}}`);
      const now = node.host.clock.now();
      for (const member of run.config.nodes) {
        if (member.id === node.id) continue;
        const stats = run.peers.get(member.id) ?? { online: false, offlineCount: 0 };
        const online = ids.has(member.id);
        if (stats.online && !online) {
          stats.offlineCount += 1;
          stats.lastOfflineMs = now;
        }
        stats.online = online;
        run.peers.set(member.id, stats);
      }
      if (run.phase === 'waiting-slots' && leader !== undefined) {
        run.phase = 'ready';
        run.ctx.log('Server is ready');
      }
    }
  }
}

/** `--config PATH` (or `--config=PATH`) of the process, relative to the working directory. */
function configPathOf(argv: readonly string[]): string {
  let path = WUKONGIM_CONFIG;
  argv.forEach((arg, index) => {
    if (arg === '--config' && argv[index + 1] !== undefined) path = argv[index + 1]!;
    else if (arg.startsWith('--config=')) path = arg.slice('--config='.length);
  });
  return posix.resolve(WUKONGIM_HOME, path);
}
