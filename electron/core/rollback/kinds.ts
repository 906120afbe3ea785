import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../../../shared/contract/errors';
import { findHost, type Cluster, type Host } from '../../../shared/inventory/schema';
import type { CopyVerifiedParams, FileShaParams, HealthyParams } from '../../../shared/rollback/kinds';
import { parseCurlResponse } from '../../../shared/stacks/parsers';
import type { HostRunner, RunResult } from '../hosts/host-runner';
import type { Check, Executor, StepContext } from '../ops/engine';
import type { CheckResult } from '../ops/gate';

/**
 * The executors and checks an OTA rollback adds (params: `shared/rollback/kinds.ts`). Every
 * command is an argv through the HostRunner; the copy never puts a partial file at its
 * target: it copies to a temporary name in the same directory, checks the SHA-256, renames.
 */

export interface RollbackKindsDeps {
  runner: HostRunner;
  cluster(name: string): Promise<Cluster>;
}

const COMMAND_TIMEOUT_MS = 60_000;
const EXCERPT = 300;

function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > EXCERPT ? `${trimmed.slice(0, EXCERPT)}…` : trimmed;
}

function asRoot(sudo: boolean, argv: readonly string[]): string[] {
  return sudo ? ['sudo', '-n', '--', ...argv] : [...argv];
}

/** The first field of `sha256sum FILE`, or undefined when the file could not be read. */
export function shaOf(result: RunResult): string | undefined {
  if (result.exitCode !== 0) return undefined;
  return /^([0-9a-f]{64})\s/.exec(result.stdout)?.[1];
}

interface UnitState {
  activeState: string;
  subState?: string;
  nRestarts?: string;
  mainPid?: string;
}

function parseShow(stdout: string): UnitState {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const cut = line.indexOf('=');
    if (cut > 0) values.set(line.slice(0, cut), line.slice(cut + 1).trim());
  }
  const state: UnitState = { activeState: values.get('ActiveState') ?? 'unknown' };
  const restarts = values.get('NRestarts');
  const pid = values.get('MainPID');
  const sub = values.get('SubState');
  if (sub !== undefined) state.subState = sub;
  if (restarts !== undefined) state.nRestarts = restarts;
  if (pid !== undefined) state.mainPid = pid;
  return state;
}

/** `activating (auto-restart), NRestarts=3`: enough to tell a slow start from a crash loop in the gate's answer. */
/** Why waiting longer cannot help: systemd gave up on the unit, or it restarted too often since the start. */
function crashLooping(unit: UnitState, p: HealthyParams): string | undefined {
  if (unit.activeState === 'failed') return 'systemd gave up on it';
  const restarts = Number(unit.nRestarts);
  if (p.failAfterRestarts !== undefined && Number.isInteger(restarts) && restarts >= p.failAfterRestarts) return `it restarted ${restarts} times since the start: the build crash-loops`;
  return undefined;
}

function describe(unit: UnitState): string {
  return `${unit.activeState}${unit.subState ? ` (${unit.subState})` : ''}${unit.nRestarts !== undefined ? `, NRestarts=${unit.nRestarts}` : ''}`;
}

export function rollbackKinds(deps: RollbackKindsDeps): { executors: Record<string, Executor>; checks: Record<string, Check> } {
  async function target(context: StepContext, hostName: string): Promise<{ cluster: Cluster; host: Host }> {
    const cluster = await deps.cluster(context.cluster);
    const host = findHost(cluster, hostName);
    if (!host) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no host "${hostName}" any more.`);
    return { cluster, host };
  }

  async function run(context: StepContext, hostName: string, argv: readonly string[]): Promise<RunResult> {
    const { cluster, host } = await target(context, hostName);
    return deps.runner.run(cluster, host, argv, { signal: context.signal, timeoutMs: COMMAND_TIMEOUT_MS });
  }

  async function mustSucceed(context: StepContext, hostName: string, argv: readonly string[]): Promise<RunResult> {
    context.output(`$ ${argv.join(' ')}\n`);
    const result = await run(context, hostName, argv);
    if (result.exitCode !== 0) {
      const why = excerpt(result.stderr) || excerpt(result.stdout) || 'no output';
      throw new AppError('INTERNAL', `\`${argv.join(' ')}\` on ${hostName} exited with ${result.exitCode ?? `signal ${result.signal}`}: ${why}`);
    }
    return result;
  }

  async function sha256(context: StepContext, hostName: string, sudo: boolean, path: string): Promise<string | undefined> {
    return shaOf(await run(context, hostName, asRoot(sudo, ['sha256sum', path])));
  }

  async function unitState(context: StepContext, p: HealthyParams): Promise<UnitState> {
    const result = await run(context, p.host, asRoot(p.sudo, ['systemctl', 'show', '-p', 'ActiveState', '-p', 'SubState', '-p', 'NRestarts', '-p', 'MainPID', p.unit]));
    return parseShow(result.stdout);
  }

  async function health(context: StepContext, p: HealthyParams): Promise<{ ok: boolean; detail: string }> {
    const result = await run(context, p.host, ['curl', '-s', '-m', '5', '-w', '\n%{http_code}', p.healthUrl]);
    const parsed = parseCurlResponse(result.stdout, result.exitCode ?? undefined);
    if (parsed.status !== 'ok') return { ok: false, detail: `${p.healthUrl}: ${parsed.reason}` };
    const { status, body } = parsed.value;
    return { ok: status >= 200 && status <= 299, detail: `${p.healthUrl} HTTP ${status} ${excerpt(body).slice(0, 160)}` };
  }

  const executors: Record<string, Executor> = {
    'rollback.copyVerified': async (raw, context) => {
      const p = raw as unknown as CopyVerifiedParams;
      await mustSucceed(context, p.host, asRoot(p.sudo, ['cp', '-p', p.from, p.tmp]));
      const copied = await sha256(context, p.host, p.sudo, p.tmp);
      if (copied !== p.sha256) {
        await run(context, p.host, asRoot(p.sudo, ['rm', '-f', p.tmp]));
        throw new AppError('CONFLICT', `The copy of ${p.from} on ${p.host} has SHA-256 ${copied ?? '(unreadable)'}, expected ${p.sha256}: ${p.to} was left as it was.`);
      }
      context.output(`sha256 ${copied} OK\n`);
      // Same directory: the rename is atomic, the binary is always one whole build.
      await mustSucceed(context, p.host, asRoot(p.sudo, ['mv', '-f', p.tmp, p.to]));
    },
  };

  const checks: Record<string, Check> = {
    'rollback.fileSha': async (raw, context): Promise<CheckResult> => {
      const p = raw as unknown as FileShaParams;
      const actual = await sha256(context, p.host, p.sudo, p.path);
      return actual === p.sha256 ? { ok: true, detail: `${p.path} is ${actual.slice(0, 12)}…` } : { ok: false, detail: `${p.path} is ${actual ? `${actual.slice(0, 12)}…` : 'missing'}` };
    },
    'rollback.healthy': async (raw, context): Promise<CheckResult> => {
      const p = raw as unknown as HealthyParams;
      const before = await unitState(context, p);
      const hopeless = crashLooping(before, p);
      if (hopeless) return { ok: false, final: true, detail: `${p.unit} is ${describe(before)}: ${hopeless}` };
      if (before.activeState !== 'active') return { ok: false, detail: `${p.unit} is ${describe(before)}` };
      const first = await health(context, p);
      if (!first.ok) return { ok: false, detail: first.detail };
      // Unit up and healthy now: it must stay so, without a restart, for the settle time.
      await delay(p.settleMs, undefined, { signal: context.signal });
      const after = await unitState(context, p);
      const hopelessAfter = crashLooping(after, p);
      if (hopelessAfter) return { ok: false, final: true, detail: `${p.unit} became ${describe(after)} within the settle time: ${hopelessAfter}` };
      if (after.activeState !== 'active') return { ok: false, detail: `${p.unit} became ${describe(after)} within the settle time` };
      if (after.nRestarts !== before.nRestarts || after.mainPid !== before.mainPid) {
        return { ok: false, detail: `${p.unit} restarted within the settle time (NRestarts ${before.nRestarts ?? '?'} → ${after.nRestarts ?? '?'}, PID ${before.mainPid ?? '?'} → ${after.mainPid ?? '?'})` };
      }
      const second = await health(context, p);
      return second.ok ? { ok: true, detail: `${p.unit} active for ${p.settleMs / 1000} s without a restart; ${second.detail}` } : { ok: false, detail: second.detail };
    },
  };

  return { executors, checks };
}
