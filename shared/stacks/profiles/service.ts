import type { Host, Role, ServiceRun } from '../../inventory/schema';
import { shellCommand } from '../../shell/quote';
import { raise, type Finding, type FindingRule } from '../findings';
import {
  andThen,
  parseCurlResponse,
  parseDockerInspect,
  parseSystemctlShow,
  systemdShowProperties,
  type DockerContainerDetail,
  type Parsed,
  type SystemdUnitState,
} from '../parsers';
import { curlCommand, localUrl } from '../probes';
import { valueOf, type ClusterSnapshot, type CommandProbe, type HostSnapshot } from '../profile';
import { portOf, reachedWithRole } from './common';

/**
 * How a system's process runs on a host. The inventory's `services` entry whose `name` is the
 * service name (`rocketchat`, `presence`, `wukongim`, `vernemq`, `haproxy`, `mongodb`,
 * `voms-server`, `postgresql`…) says it; without one, the profile's default applies (usually a
 * systemd unit of that name).
 */
export function serviceRunOf(host: Host, name: string, fallback: ServiceRun): ServiceRun {
  return host.services?.find((service) => service.name === name) ?? fallback;
}

export const systemdRun = (name: string, unit: string): ServiceRun => ({ name, kind: 'systemd', unit });
export const dockerRun = (name: string, container: string): ServiceRun => ({ name, kind: 'docker', container });

/** A command run where the service runs: on the host, in its container, or through its wrapper. */
export function inService(run: ServiceRun, argv: readonly string[]): string {
  switch (run.kind) {
    case 'systemd':
      return shellCommand(argv);
    case 'docker':
      return shellCommand(['docker', 'exec', run.container, ...argv]);
    case 'wrapped':
      return shellCommand([...run.wrapper, ...argv]);
  }
}

/**
 * An HTTP call to the service with curl. Systemd units and containers (whose ports are published)
 * are called from the host; a wrapped service (a pod behind `kubectl exec`) from inside.
 */
export function httpCall(run: ServiceRun, port: number, path: string): string {
  const curl = curlCommand(localUrl(port, path));
  return run.kind === 'wrapped' ? shellCommand([...run.wrapper, 'sh', '-c', curl]) : curl;
}

/**
 * `systemctl show` for units. TZ=UTC makes systemd print timestamps in UTC, the only zone the
 * parser can turn into an instant (CST and friends are ambiguous).
 */
export function systemctlShowArgv(units: readonly string[]): string[] {
  return ['env', 'TZ=UTC', 'systemctl', 'show', '-p', systemdShowProperties.join(','), ...units];
}

export type ServiceState = { manager: 'systemd'; unit: SystemdUnitState } | { manager: 'docker'; container: DockerContainerDetail };

export interface ServiceProbeSpec {
  id: string;
  role: Role;
  /** The service name looked up in the host's `services`. */
  name: string;
  fallback: (host: Host) => ServiceRun;
}

/**
 * The state of one service on hosts of a role: `systemctl show` for a unit (also inside a
 * wrapper that names one), `docker inspect` for a container. A wrapped service without a unit
 * has no state probe: its health endpoint speaks for it.
 */
export function serviceStateProbe(spec: ServiceProbeSpec): CommandProbe<ServiceState> {
  const runOf = (host: Host) => serviceRunOf(host, spec.name, spec.fallback(host));
  return {
    id: spec.id,
    // systemctl waits on D-Bus, docker on its daemon, kubectl on the API server.
    mayHang: true,
    command: ({ host }) => {
      if (!host.roles.includes(spec.role)) return undefined;
      const run = runOf(host);
      if (run.kind === 'docker') return shellCommand(['docker', 'inspect', run.container]);
      if (run.unit === undefined) return undefined;
      return inService(run, systemctlShowArgv([run.unit]));
    },
    parse: (output, exitCode, { host }) => {
      const run = runOf(host);
      if (run.kind === 'docker') {
        const parsed = parseDockerInspect(output, exitCode ?? undefined);
        return parsed.status === 'ok' ? { status: 'ok', value: { manager: 'docker', container: parsed.value[0]! } } : parsed;
      }
      const parsed = parseSystemctlShow(output, exitCode ?? undefined, { unitCount: 1 });
      return parsed.status === 'ok' ? { status: 'ok', value: { manager: 'systemd', unit: parsed.value[0]! } } : parsed;
    },
  };
}

/** What a service is doing, as far as its manager knows. */
export type ServiceCondition = 'running' | 'starting' | 'stopping' | 'stopped' | 'failed' | 'crash-looping' | 'missing';

export interface ServiceVerdict {
  condition: ServiceCondition;
  /** One line for titles: `failed (Result=exit-code)`, `crash-looping (3 restarts)`. */
  summary: string;
  /** The manager's own words, for evidence (never the environment of a container). */
  evidence: string;
  startedAtMs?: number;
}

/** Restarts that, within the window since the last start, make a running service crash-looping. */
export const CRASH_LOOP_RESTARTS = 3;
export const CRASH_LOOP_WINDOW_MS = 10 * 60_000;

/**
 * Sub-states of a service that died and that systemd is about to restart on its own: `auto-restart`
 * (waiting RestartSec=), and since systemd 254 `auto-restart-queued` (activating) and the passing
 * `dead-before-auto-restart` / `failed-before-auto-restart` (inactive / failed).
 */
const AUTO_RESTART_SUBSTATES: ReadonlySet<string> = new Set(['auto-restart', 'auto-restart-queued', 'dead-before-auto-restart', 'failed-before-auto-restart']);

/**
 * The one judgement of "failed or crash-looping" every profile uses. Systemd: `failed`, or
 * waiting for an automatic restart, or several restarts with the last start recent. Docker:
 * `restarting`, a non-zero exit, or a recent start after several restarts.
 *
 * What systemd's NRestarts counts (src/core/service.c): the automatic restarts since the unit
 * last ended for good. service_enter_dead() sets flush_n_restarts when no automatic restart
 * follows (a stop of a running unit, a failure Restart= does not cover), and the next
 * service_start() zeroes the count; so `systemctl stop` then `start`, or `restart`, of a
 * running unit starts from 0. A stop that cancels a pending automatic restart
 * (service_stop() in auto-restart) does not set it: a unit stopped mid-crash-loop and started
 * by hand keeps its count, and with a recent start reads as crash-looping for the window even
 * though the new process runs fine. `systemctl reset-failed` zeroes it at any time; the OTA
 * rollback runs it before starting the restored build for exactly this reason.
 */
export function judgeService(state: ServiceState, nowMs: number): ServiceVerdict {
  return state.manager === 'systemd' ? judgeUnit(state.unit, nowMs) : judgeContainer(state.container, nowMs);
}

function recentlyStarted(startedAtMs: number | undefined, nowMs: number): boolean {
  return startedAtMs !== undefined && nowMs - startedAtMs <= CRASH_LOOP_WINDOW_MS;
}

function judgeUnit(unit: SystemdUnitState, nowMs: number): ServiceVerdict {
  const restarts = unit.nRestarts ?? 0;
  const startedAtMs = unit.execMainStartTimestamp?.epochMs;
  const evidence = [
    `${unit.id}: ActiveState=${unit.activeState} SubState=${unit.subState} Result=${unit.result ?? ''} NRestarts=${restarts}`,
    `ExecMainStartTimestamp=${unit.execMainStartTimestamp?.raw ?? 'n/a'} Restart=${unit.restart ?? ''} LoadState=${unit.loadState}`,
  ].join('\n');
  const verdict = (condition: ServiceCondition, summary: string): ServiceVerdict =>
    startedAtMs === undefined ? { condition, summary, evidence } : { condition, summary, evidence, startedAtMs };
  if (unit.loadState === 'not-found') return verdict('missing', 'not installed (no such unit)');
  if (unit.loadState === 'masked') return verdict('stopped', 'masked');
  if (AUTO_RESTART_SUBSTATES.has(unit.subState)) return verdict('crash-looping', `crash-looping (${restarts} restarts, waiting to restart)`);
  switch (unit.activeState) {
    case 'failed':
      return verdict('failed', `failed (Result=${unit.result ?? 'unknown'})`);
    case 'activating':
      return verdict('starting', 'starting');
    case 'active':
    case 'reloading':
    case 'refreshing':
      if (restarts >= CRASH_LOOP_RESTARTS && recentlyStarted(startedAtMs, nowMs)) {
        return verdict('crash-looping', `crash-looping (${restarts} restarts, last start ${Math.round((nowMs - startedAtMs!) / 1000)} s ago)`);
      }
      return verdict('running', 'running');
    case 'deactivating':
      return verdict('stopping', 'stopping');
    case 'maintenance':
      return verdict('running', 'in maintenance');
    case 'inactive':
      return verdict('stopped', 'stopped');
  }
}

function judgeContainer(container: DockerContainerDetail, nowMs: number): ServiceVerdict {
  const restarts = container.restartCount ?? 0;
  const startedAtMs = container.startedAt !== undefined && !container.startedAt.startsWith('0001-') ? Date.parse(container.startedAt) : NaN;
  const evidence = [
    `container ${container.name || container.id.slice(0, 12)} (${container.image}): Status=${container.status} Restarting=${container.restarting}`,
    `ExitCode=${container.exitCode ?? ''} RestartCount=${restarts} StartedAt=${container.startedAt ?? ''} FinishedAt=${container.finishedAt ?? ''}`,
  ].join('\n');
  const verdict = (condition: ServiceCondition, summary: string): ServiceVerdict =>
    Number.isNaN(startedAtMs) ? { condition, summary, evidence } : { condition, summary, evidence, startedAtMs };
  if (container.restarting) return verdict('crash-looping', `crash-looping (restarting, ${restarts} restarts, last exit ${container.exitCode ?? '?'})`);
  if (container.running) {
    if (restarts >= CRASH_LOOP_RESTARTS && recentlyStarted(Number.isNaN(startedAtMs) ? undefined : startedAtMs, nowMs)) {
      return verdict('crash-looping', `crash-looping (${restarts} restarts, last start ${Math.round((nowMs - startedAtMs) / 1000)} s ago)`);
    }
    return verdict('running', 'running');
  }
  if (container.status === 'exited' || container.status === 'dead') {
    return container.exitCode !== undefined && container.exitCode !== 0
      ? verdict('failed', `exited with code ${container.exitCode}`)
      : verdict('stopped', 'stopped');
  }
  if (container.status === 'removing') return verdict('stopping', 'stopping');
  return verdict('stopped', container.status);
}

/** Conditions that are a finding: the service should run on this host and does not. */
export function isDown(condition: ServiceCondition): boolean {
  return condition === 'failed' || condition === 'crash-looping' || condition === 'stopped';
}

/** The admin's clock at the probe, the reference for "recent" (host clock skew is its own finding). */
export function probedAtMs(host: HostSnapshot): number {
  return Date.parse(host.probedAt);
}

/** The judged state of a service on a host, when its probe parsed. */
export function verdictOf(host: HostSnapshot, probe: CommandProbe<ServiceState>): ServiceVerdict | undefined {
  const state = valueOf(host, probe);
  return state === undefined ? undefined : judgeService(state, probedAtMs(host));
}

/** Raises `rule` for each host of the role whose service is down (failed, crash-looping or stopped). */
export function serviceDownFindings(
  snapshot: ClusterSnapshot,
  spec: { role: Role; service: string; probe: CommandProbe<ServiceState>; rule: FindingRule },
): Finding[] {
  const findings: Finding[] = [];
  for (const host of reachedWithRole(snapshot, spec.role)) {
    const verdict = verdictOf(host, spec.probe);
    if (verdict === undefined || !isDown(verdict.condition)) continue;
    findings.push(
      raise(spec.rule, {
        cluster: snapshot.cluster.name,
        subject: `${host.host.name}:${spec.service}`,
        hosts: [host.host.name],
        params: { host: host.host.name, service: spec.service, state: verdict.summary },
        evidence: verdict.evidence,
      }),
    );
  }
  return findings;
}

export interface HttpProbeSpec<F> extends ServiceProbeSpec {
  /** Host label that overrides the port. */
  portLabel: string;
  defaultPort: number;
  path: string;
  parse: (body: string, httpStatus: number) => Parsed<F>;
}

/** An HTTP endpoint of the service, called with curl (see `httpCall`) and parsed by status and body. */
export function httpProbe<F>(spec: HttpProbeSpec<F>): CommandProbe<F> {
  return {
    id: spec.id,
    command: ({ host }) => {
      if (!host.roles.includes(spec.role)) return undefined;
      const port = portOf(host, spec.portLabel, spec.defaultPort);
      if (port === undefined) return undefined;
      return httpCall(serviceRunOf(host, spec.name, spec.fallback(host)), port, spec.path);
    },
    parse: (output, exitCode) => andThen(parseCurlResponse(output, exitCode ?? undefined), (response) => spec.parse(response.body, response.status)),
  };
}
