import type { Db } from 'mongodb';
import { AppError } from '../../../shared/contract/errors';
import { findHost, type Cluster, type Host, type ServiceRun } from '../../../shared/inventory/schema';
import { asRoot, inServiceArgv } from '../../../shared/restart/commands';
import type {
  CommandOkParams,
  HaproxySetStateParams,
  HaproxyStateParams,
  HaproxyTarget,
  HttpOkParams,
  RocketchatReadyParams,
  SshExecParams,
  UnitActiveParams,
  VernemqJoinedParams,
  WukongimReadyParams,
} from '../../../shared/restart/kinds';
import {
  parseCurlResponse,
  parseDockerInspect,
  parseHaproxyCommandReply,
  parseHaproxyStat,
  parseRocketChatInfo,
  parseSystemctlShow,
  parseVmqClusterShow,
  parseWukongClusterNodes,
  scanWukongLog,
  type HaproxyStatRow,
} from '../../../shared/stacks/parsers';
import type { CommandProbe } from '../../../shared/stacks/profile';
import { rocketchatProbes, scanRocketChatLog } from '../../../shared/stacks/profiles/rocketchat';
import { systemctlShowArgv } from '../../../shared/stacks/profiles/service';
import { wukongimProbes } from '../../../shared/stacks/profiles/wukongim';
import type { LogTail } from '../../../shared/stacks/profiles/logs';
import type { HostRunner, RunResult } from '../hosts/host-runner';
import type { Check, Executor, StepContext } from '../ops/engine';
import type { CheckResult } from '../ops/gate';

/**
 * The executors and checks a staged restart needs, registered in the operation engine by
 * kind. Params come from the planner (`shared/restart/kinds.ts`); every command is an argv
 * run through the HostRunner, so the SSH layer quotes each element. Checks only read.
 */

export interface RestartKindsDeps {
  runner: HostRunner;
  /** The cluster as the inventory has it now. */
  cluster(name: string): Promise<Cluster>;
  /** The cluster's MongoDB (Rocket.Chat's database), for the instances check. */
  mongo(cluster: Cluster): Promise<Db>;
}

const CHECK_TIMEOUT_MS = 15_000;
const EXCERPT = 400;

/** Sends one runtime API command to an HAProxy admin socket: the socket and the command travel as "$1" and "$2". */
const HAPROXY_SCRIPT = 'echo "$2" | socat stdio "UNIX-CONNECT:$1"';

function params<T>(raw: Record<string, unknown>): T {
  return raw as T;
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > EXCERPT ? `…${trimmed.slice(-EXCERPT)}` : trimmed;
}

export function restartKinds(deps: RestartKindsDeps): { executors: Record<string, Executor>; checks: Record<string, Check> } {
  async function target(context: StepContext, hostName: string): Promise<{ cluster: Cluster; host: Host }> {
    const cluster = await deps.cluster(context.cluster);
    const host = findHost(cluster, hostName);
    if (!host) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no host "${hostName}" any more.`);
    return { cluster, host };
  }

  async function run(context: StepContext, hostName: string, argv: readonly string[], stream = false): Promise<RunResult> {
    const { cluster, host } = await target(context, hostName);
    return deps.runner.run(cluster, host, argv, {
      signal: context.signal,
      ...(stream
        ? { onStdout: (chunk: Buffer) => context.output(chunk.toString()), onStderr: (chunk: Buffer) => context.output(chunk.toString()) }
        : { timeoutMs: CHECK_TIMEOUT_MS }),
    });
  }

  async function mustSucceed(context: StepContext, hostName: string, argv: readonly string[]): Promise<RunResult> {
    const result = await run(context, hostName, argv, true);
    if (result.exitCode !== 0) {
      const why = excerpt(result.stderr) || excerpt(result.stdout) || 'no output';
      throw new AppError('INTERNAL', `\`${argv.join(' ')}\` on ${hostName} exited with ${result.exitCode ?? `signal ${result.signal}`}: ${why}`);
    }
    return result;
  }

  function haproxyArgv(p: { sudo: Record<string, boolean> }, t: HaproxyTarget, command: string): string[] {
    const argv = ['sh', '-c', HAPROXY_SCRIPT, 'sh', t.socket, command];
    return p.sudo[t.host] ? ['sudo', '-n', '--', ...argv] : argv;
  }

  async function httpGet(context: StepContext, hostName: string, port: number, path: string, wrapper?: readonly string[]): Promise<{ status: number; body: string }> {
    const curl = ['curl', '-s', '-m', '5', '-w', '\n%{http_code}', `http://localhost:${port}${path}`];
    const result = await run(context, hostName, wrapper ? [...wrapper, ...curl] : curl);
    const parsed = parseCurlResponse(result.stdout, result.exitCode ?? undefined);
    if (parsed.status !== 'ok') throw new AppError('UNAVAILABLE', `GET ${path} on ${hostName}: ${parsed.reason}`);
    return parsed.value;
  }

  async function serviceMarker(context: StepContext, hostName: string, service: ServiceRun): Promise<{ running: boolean; marker?: string; state: string }> {
    const { host } = await target(context, hostName);
    if (service.kind === 'docker') {
      const result = await run(context, hostName, asRoot(host, ['docker', 'inspect', service.container]));
      const parsed = parseDockerInspect(result.stdout, result.exitCode ?? undefined);
      if (parsed.status !== 'ok') return { running: false, state: parsed.reason };
      const container = parsed.value[0]!;
      return { running: container.running && !container.restarting, ...(container.startedAt ? { marker: container.startedAt } : {}), state: container.status };
    }
    if (service.unit === undefined) return { running: true, state: 'no unit to ask' };
    const result = await run(context, hostName, inServiceArgv(service, systemctlShowArgv([service.unit])));
    const parsed = parseSystemctlShow(result.stdout, result.exitCode ?? undefined, { unitCount: 1 });
    if (parsed.status !== 'ok') return { running: false, state: parsed.reason };
    const unit = parsed.value[0]!;
    return {
      running: unit.activeState === 'active',
      ...(unit.mainPid !== undefined ? { marker: String(unit.mainPid) } : {}),
      state: `${unit.activeState} (${unit.subState})`,
    };
  }

  async function restarted(context: StepContext, p: { host: string; run: ServiceRun; notMarker?: string }): Promise<CheckResult | undefined> {
    const state = await serviceMarker(context, p.host, p.run);
    if (!state.running) return { ok: false, detail: `${p.host}: ${state.state}` };
    if (p.notMarker !== undefined && state.marker === p.notMarker) return { ok: false, detail: `${p.host}: still the process from before the restart` };
    return undefined;
  }

  async function logLines(context: StepContext, hostName: string, probe: CommandProbe<LogTail>): Promise<string[]> {
    const t = await target(context, hostName);
    const command = probe.command(t);
    if (command === undefined) return [];
    const result = await run(context, hostName, ['sh', '-c', command]);
    const parsed = probe.parse(result.stdout, result.exitCode, t);
    if (parsed.status !== 'ok') throw new AppError('UNAVAILABLE', `log of ${hostName}: ${parsed.reason}`);
    return parsed.value.lines;
  }

  async function statRows(context: StepContext, p: HaproxyStateParams, lb: string, t: HaproxyTarget): Promise<HaproxyStatRow[]> {
    const result = await run(context, lb, haproxyArgv(p, t, 'show stat'));
    const parsed = parseHaproxyStat(result.stdout, result.exitCode ?? undefined);
    if (parsed.status !== 'ok') throw new AppError('UNAVAILABLE', `show stat on ${lb}: ${parsed.reason}`);
    return parsed.value;
  }

  const executors: Record<string, Executor> = {
    'ssh.exec': async (raw, context) => {
      const p = params<SshExecParams>(raw);
      context.output(`$ ${p.argv.join(' ')}\n`);
      await mustSucceed(context, p.host, p.argv);
    },
    'haproxy.setState': async (raw, context) => {
      const p = params<HaproxySetStateParams>(raw);
      for (const t of p.targets) {
        const command = `set server ${t.backend}/${t.server} state ${p.state}`;
        context.output(`${t.host}: ${command}\n`);
        const result = await run(context, t.host, haproxyArgv(p, t, command), true);
        const reply = parseHaproxyCommandReply(result.stdout, result.exitCode ?? undefined);
        if (reply.status !== 'ok') throw new AppError('INTERNAL', `HAProxy on ${t.host} refused "${command}": ${reply.reason}`);
      }
    },
  };

  const checks: Record<string, Check> = {
    'haproxy.state': async (raw, context) => {
      const p = params<HaproxyStateParams>(raw);
      for (const t of p.targets) {
        const row = (await statRows(context, p, t.host, t)).find((r) => r.kind === 'server' && r.proxy === t.backend && r.server === t.server);
        if (!row) return { ok: false, detail: `${t.backend}/${t.server} is not in show stat on ${t.host}` };
        if (row.status.base !== p.status) return { ok: false, detail: `${t.backend}/${t.server} on ${t.host} is ${row.status.raw}` };
      }
      return { ok: true, detail: `${p.targets.map((t) => t.server).join(', ')} ${p.status}` };
    },
    'unit.active': async (raw, context) => {
      const p = params<UnitActiveParams>(raw);
      const notYet = await restarted(context, p);
      if (notYet) return notYet;
      if (p.health) {
        const wrapper = p.run.kind === 'wrapped' ? p.run.wrapper : undefined;
        const response = await httpGet(context, p.host, p.health.port, p.health.path, wrapper);
        if (response.status < 200 || response.status > 299) return { ok: false, detail: `${p.health.path} answers HTTP ${response.status}` };
      }
      return { ok: true, detail: `${p.host}: active${p.health ? `, ${p.health.path} OK` : ''}` };
    },
    'http.ok': async (raw, context) => {
      const p = params<HttpOkParams>(raw);
      const response = await httpGet(context, p.host, p.port, p.path, p.wrapper);
      return response.status >= 200 && response.status <= 299 ? { ok: true, detail: `HTTP ${response.status}` } : { ok: false, detail: `HTTP ${response.status}` };
    },
    'command.ok': async (raw, context) => {
      const p = params<CommandOkParams>(raw);
      const result = await run(context, p.host, p.argv);
      return result.exitCode === 0 ? { ok: true } : { ok: false, detail: `exit ${result.exitCode}: ${excerpt(result.stderr || result.stdout).slice(0, 160)}` };
    },
    'rocketchat.ready': async (raw, context) => {
      const p = params<RocketchatReadyParams>(raw);
      const info = await httpGet(context, p.host, p.port, '/api/info', p.run.kind === 'wrapped' ? p.run.wrapper : undefined);
      const parsed = parseRocketChatInfo(info.body, info.status);
      if (parsed.status !== 'ok') return { ok: false, detail: `/api/info: ${parsed.reason}` };
      const cluster = await deps.cluster(context.cluster);
      const db = await deps.mongo(cluster);
      const instances = await db
        .collection<{ _id: string }>('instances')
        .find({ 'extraInformation.host': { $in: p.instanceNames } }, { projection: { _id: 1 } })
        .toArray();
      const fresh = instances.filter((instance) => !p.previousInstanceIds.includes(String(instance._id)));
      if (fresh.length === 0) return { ok: false, detail: `${p.host} has not registered again in instances` };
      const scan = scanRocketChatLog(await logLines(context, p.host, rocketchatProbes.log));
      if (scan.restriction === 'applied') return { ok: false, detail: `${p.host} says it is in read-only mode: ${scan.restrictionLines.at(-1) ?? ''}` };
      return { ok: true, detail: `${p.host}: /api/info ${parsed.value.version}, registered, not read-only` };
    },
    'wukongim.ready': async (raw, context) => {
      const p = params<WukongimReadyParams>(raw);
      const notYet = await restarted(context, p);
      if (notYet) return notYet;
      if (!scanWukongLog((await logLines(context, p.host, wukongimProbes.log)).join('\n')).ready) {
        return { ok: false, detail: `${p.host} has not logged "Server is ready" since its start` };
      }
      const response = await httpGet(context, p.host, p.port, '/cluster/nodes', p.run.kind === 'wrapped' ? p.run.wrapper : undefined);
      const nodes = parseWukongClusterNodes(response.body, response.status);
      if (nodes.status !== 'ok') return { ok: false, detail: `/cluster/nodes: ${nodes.reason}` };
      const seen = nodes.value.nodes;
      const missing = p.members.filter((id) => !seen.some((node) => node.id === id && node.online));
      if (missing.length > 0 || seen.length < p.members.length) return { ok: false, detail: `${p.host} does not see ${missing.join(', ') || 'every member'} online` };
      const leaders = seen.filter((node) => node.isLeader).map((node) => node.id);
      if (leaders.length !== 1) return { ok: false, detail: `${p.host} sees ${leaders.length} leaders` };
      return { ok: true, detail: `${p.host}: ready; ${seen.length} members online, leader ${leaders[0]}` };
    },
    'vernemq.joined': async (raw, context) => {
      const p = params<VernemqJoinedParams>(raw);
      const result = await run(context, p.host, [...p.vmqAdmin, 'cluster', 'show']);
      const parsed = parseVmqClusterShow(result.stdout, result.exitCode ?? undefined);
      if (parsed.status !== 'ok') return { ok: false, detail: `cluster show: ${parsed.reason}` };
      const running = (name: string) => parsed.value.nodes.some((node) => node.node === name && node.running);
      if (!running(p.node) || !running(p.peer)) return { ok: false, detail: `cluster show on ${p.host}: ${parsed.value.nodes.map((n) => `${n.node} ${n.running ? 'Running' : 'not running'}`).join(', ')}` };
      return { ok: true, detail: `${p.node} Running with ${parsed.value.nodes.filter((n) => n.running).length - 1} other node(s)` };
    },
  };

  return { executors, checks };
}
