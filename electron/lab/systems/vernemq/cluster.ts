import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';
import { readVernemqConf, VERNEMQ_CONF, VERNEMQ_CONSOLE_LOG, VERNEMQ_PID_FILE, VERNEMQ_VERSION, type BridgeSpec } from './config';

/**
 * VerneMQ nodes and their cluster membership, as the lab simulates them (a SIMULATION; FIELD-NOTES §3):
 *
 * - Membership (vmq_swc's) survives restarts; `cluster join` merges the two nodes' clusters,
 *   `cluster leave` takes a node out.
 * - A node is non-empty while its bridges run: the bridge plugin subscribes on the node's own
 *   behalf. With `vmq_swc.prevent_nonempty_join` on (the default) such a node's join is refused
 *   (`non_empty_node`, and the log line of vernemq #2350); off, it joins with a warning.
 * - The bridge plugin is loaded at boot when `plugins.vmq_bridge = on` (its bridges start with it);
 *   at run time `plugin enable` loads it without starting bridges, `bridge start` starts them,
 *   `plugin disable` stops them and unloads it. Runtime changes last until the next restart.
 * - `/health` says DOWN ("Node has not joined cluster") while the node is alone.
 */

export interface VernemqTiming {
  startupMs: number;
  stopMs: number;
}

export const defaultVernemqTiming: VernemqTiming = { startupMs: 4_000, stopMs: 1_500 };

export interface NodeRun {
  readonly ctx: ProcessContext;
  ready: boolean;
  bridgePlugin: boolean;
  bridgesRunning: boolean;
  preventNonemptyJoin: boolean;
  bridges: BridgeSpec[];
}

export type CommandOutcome = { ok: true; text: string } | { ok: false; text: string };

export class VernemqNode {
  readonly name: string;
  readonly host: LabHost;
  members: string[];
  run: NodeRun | undefined;

  constructor(name: string, host: LabHost) {
    this.name = name;
    this.host = host;
    this.members = [name];
  }

  /** Answers pings and vmq-admin. */
  get up(): boolean {
    return this.run?.ready === true;
  }

  get nonEmpty(): boolean {
    return this.run?.bridgesRunning === true;
  }

  /** A line in console.log, in the format of VerneMQ 2.0's logger. */
  log(level: 'info' | 'warning' | 'error', where: string, message: string): void {
    const clock = this.host.clock;
    const offset = clock.timezone.offsetMinutes;
    const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    const line = `${clock.format('%Y-%m-%dT%H:%M:%S.%3N')}${zone} [${level}] ${where}: ${message}\n`;
    try {
      this.host.vfs.writeFile(VERNEMQ_CONSOLE_LOG, line, { append: true });
    } catch {
      // A full or read-only disk loses log lines, as it would for the real logger.
    }
  }
}

export class VernemqCluster {
  readonly nodes = new Map<string, VernemqNode>();
  readonly timing: VernemqTiming;

  constructor(timing: Partial<VernemqTiming> = {}) {
    this.timing = { ...defaultVernemqTiming, ...timing };
  }

  add(name: string, host: LabHost): VernemqNode {
    const node = new VernemqNode(name, host);
    this.nodes.set(name, node);
    return node;
  }

  node(name: string): VernemqNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`No VerneMQ node ${name} in the lab`);
    return node;
  }

  /** Scenario setup: these nodes form one cluster already. */
  form(names: readonly string[]): void {
    const members = [...names].sort();
    for (const name of members) this.node(name).members = members;
  }

  behaviour(name: string): ProcessBehaviour {
    return {
      start: (ctx) => this.#start(this.node(name), ctx),
      stop: (ctx) => {
        const node = this.node(name);
        node.log('info', '<0.9.0> vmq_server_app:stop/1:71', 'Stopping VerneMQ');
        if (node.run) node.run.ready = false;
        ctx.after(this.timing.stopMs, () => ctx.exit(0));
      },
    };
  }

  #start(node: VernemqNode, ctx: ProcessContext): void {
    const vfs = node.host.vfs;
    let config;
    try {
      config = readVernemqConf(vfs.readFile(VERNEMQ_CONF).toString('utf8'));
    } catch (error) {
      node.log('error', '<0.9.0> vmq_server_app:start/2:40', error instanceof Error ? error.message : String(error));
      ctx.exit(1);
      return;
    }
    const run: NodeRun = {
      ctx,
      ready: false,
      bridgePlugin: config.bridgePlugin,
      bridgesRunning: false,
      preventNonemptyJoin: config.preventNonemptyJoin,
      bridges: config.bridges,
    };
    node.run = run;
    vfs.mkdir('/run/vernemq', { parents: true });
    vfs.writeFile(VERNEMQ_PID_FILE, `${ctx.pid}\n`);
    ctx.signal.addEventListener('abort', () => {
      if (node.run === run) node.run = undefined;
    });
    const up = () => {
      run.ready = true;
      if (run.bridgePlugin) this.#startBridges(node, run);
      ctx.ready();
    };
    if (ctx.resumed) {
      up();
      return;
    }
    node.log('info', '<0.9.0> vmq_server_app:start/2:52', `Starting VerneMQ ${VERNEMQ_VERSION} on node '${node.name}'`);
    ctx.after(this.timing.startupMs, () => {
      node.log('info', '<0.482.0> vmq_ranch_config:start_listener/4:212', 'started mqtt listener on 0.0.0.0:1883');
      up();
    });
  }

  #startBridges(node: VernemqNode, run: NodeRun): void {
    run.bridgesRunning = true;
    for (const bridge of run.bridges) {
      node.log('info', '<0.614.0> vmq_bridge:init/1:92', `Bridge ${bridge.name} connecting to ${bridge.endpoint}`);
    }
  }

  /** `vmq-admin cluster join discovery-node=TARGET` run on `node`. */
  join(node: VernemqNode, target: string): CommandOutcome {
    const run = node.run!;
    const other = this.nodes.get(target);
    if (!other?.up) return { ok: false, text: "Couldn't join cluster due to not_reachable\n" };
    if (node.members.includes(target)) return { ok: true, text: 'Done\n' };
    if (node.nonEmpty) {
      if (run.preventNonemptyJoin) {
        node.log('info', '<0.9.0> vmq_swc_peer_service:attempt_join/1:61', `Cannot join a cluster, as local node '${node.name}' is non-empty.`);
        return { ok: false, text: `RPC to node ${target} failed for reason: non_empty_node\n` };
      }
      node.log(
        'warning',
        '<0.9.0> vmq_swc_peer_service:attempt_join/1:58',
        `Joining a cluster although local node '${node.name}' is non-empty (vmq_swc.prevent_nonempty_join = off): data may become inconsistent.`,
      );
    }
    this.form([...new Set([...node.members, ...other.members])]);
    node.log('info', '<0.9.0> vmq_swc_peer_service:attempt_join/1:72', `Sent join request to: '${target}'`);
    other.log('info', '<0.488.0> vmq_swc_peer_service:handle_join/2:131', `Node '${node.name}' joined the cluster`);
    return { ok: true, text: 'Done\n' };
  }

  /** `vmq-admin cluster leave node=LEAVING` run on `node`. */
  leave(node: VernemqNode, leaving: string): CommandOutcome {
    if (!node.members.includes(leaving)) return { ok: false, text: "Couldn't leave cluster due to not_present\n" };
    const rest = node.members.filter((name) => name !== leaving);
    this.form(rest);
    const gone = this.node(leaving);
    gone.members = [leaving];
    gone.log('info', '<0.9.0> vmq_swc_peer_service:leave/1:98', 'Left the cluster');
    return { ok: true, text: 'Done\n' };
  }

  enablePlugin(node: VernemqNode, plugin: string): CommandOutcome {
    const run = node.run!;
    if (plugin !== 'vmq_bridge') return { ok: false, text: `Error: cannot enable ${plugin}: the lab simulates vmq_bridge only\n` };
    if (run.bridgePlugin) return { ok: false, text: 'Error: plugin_already_enabled\n' };
    run.bridgePlugin = true;
    node.log('info', '<0.402.0> vmq_plugin_mgr:enable_plugin/2:311', 'enabled plugin vmq_bridge');
    return { ok: true, text: 'Done\n' };
  }

  disablePlugin(node: VernemqNode, plugin: string): CommandOutcome {
    const run = node.run!;
    if (plugin !== 'vmq_bridge' || !run.bridgePlugin) return { ok: false, text: 'Error: plugin_not_found\n' };
    run.bridgePlugin = false;
    run.bridgesRunning = false;
    node.log('info', '<0.402.0> vmq_plugin_mgr:disable_plugin/1:340', 'disabled plugin vmq_bridge');
    return { ok: true, text: 'Done\n' };
  }

  startBridges(node: VernemqNode): CommandOutcome {
    const run = node.run!;
    if (!run.bridgePlugin) return { ok: false, text: 'Error: the vmq_bridge plugin is not enabled\n' };
    if (!run.bridgesRunning) this.#startBridges(node, run);
    return { ok: true, text: 'Done\n' };
  }
}
