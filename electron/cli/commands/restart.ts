import { parseArgs } from 'node:util';
import { restartPolicySchema, type RestartPlanResult } from '../../../shared/contract/restart';
import type { Plan, Step } from '../../../shared/ops/plan';
import type { HaproxySetStateParams } from '../../../shared/restart/kinds';
import type { OpsEventSink } from '../../core/ops/engine';
import { ExitCode, UsageError, type CliCommand, type CliIO, subcommandOf } from '../command';
import { connectionOptions, connectionUsage, loadClusters, openHosts } from '../context';
import { openOperations, waitForOperation } from '../operations';

const usage = `Usage: switchboard restart plan --inventory FILE --cluster NAME [--roles a,b] [--nodes x,y] [--max-unavailable N] [--json]
       switchboard restart run  --inventory FILE --cluster NAME [same options] --yes [--journal DIR] [--undo-on-failure]

A staged restart: data stores, then load balancers, then app nodes one at a time (Rocket.Chat
drained in HAProxy first, WuKongIM seed node first and within the Raft quorum, VerneMQ without
its bridge until it joined), then plugins and side services. Every step waits for its node's
health gate. "plan" prints the plan (nothing runs); "run" runs it, with progress on stderr.
Exit codes: 0 done; 2 refused, a gate failed or the run was stopped; 1 usage.

Options:
  --inventory FILE       the inventory
  --cluster NAME         the cluster to restart
  --roles a,b            only these roles
  --nodes x,y            only these hosts
  --order x,y            these hosts first within their stage
  --max-unavailable N    app nodes down at once (default 1; never all, Raft limits apply)
  --gate-timeout S       seconds each health gate may take (default 300)
  --json                 print the plan (or the final state) as JSON
  --yes                  run without asking (required by "run")
  --confirm NAME         the cluster's name, required for a production cluster
  --undo-on-failure      when a gate fails, put back what the run changed (e.g. ready a drained node)
  --journal DIR          where operation journals live (default: DATA_DIR/operations)
${connectionUsage}`;

export const restartCommand: CliCommand = {
  name: 'restart',
  summary: 'Plan or run a staged restart of a cluster',
  usage,
  async run(argv, io) {
    const [subcommand, rest] = subcommandOf(argv, ['plan', 'run'] as const);
    const { values } = parseArgs({
      args: rest,
      options: {
        inventory: { type: 'string' },
        cluster: { type: 'string' },
        roles: { type: 'string' },
        nodes: { type: 'string' },
        order: { type: 'string' },
        'max-unavailable': { type: 'string' },
        'gate-timeout': { type: 'string' },
        json: { type: 'boolean' },
        yes: { type: 'boolean' },
        confirm: { type: 'string' },
        'undo-on-failure': { type: 'boolean' },
        journal: { type: 'string' },
        ...connectionOptions,
      },
      strict: true,
    });
    if (!values.cluster) throw new UsageError('--cluster NAME is required');
    if (subcommand === 'run' && !values.yes) throw new UsageError('restart run changes the cluster: add --yes (read "restart plan" first)');
    const list = (value: string | undefined) => value?.split(',').map((item) => item.trim()).filter((item) => item !== '');
    const policyParse = restartPolicySchema.safeParse({
      ...(values.roles ? { roles: list(values.roles) } : {}),
      ...(values.nodes ? { nodes: list(values.nodes) } : {}),
      ...(values.order ? { order: list(values.order) } : {}),
      ...(values['max-unavailable'] ? { maxUnavailable: Number(values['max-unavailable']) } : {}),
      ...(values['gate-timeout'] ? { gateTimeoutSeconds: Number(values['gate-timeout']) } : {}),
      onGateFailure: values['undo-on-failure'] ? 'undo-and-stop' : 'stop',
    });
    if (!policyParse.success) throw new UsageError(policyParse.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    const policy = policyParse.data;
    const clusters = await loadClusters(io, values.inventory, values.cluster);
    const hosts = await openHosts(io, values, clusters);
    const operations = openOperations(io, values, clusters, hosts, subcommand === 'run' ? progressPrinter(io) : undefined);
    try {
      if (subcommand === 'plan') {
        const result = await operations.restart.plan(values.cluster, policy);
        io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatPlanResult(result)}\n`);
        return result.refusals.length > 0 ? ExitCode.problem : ExitCode.ok;
      }
      const preview = await operations.restart.plan(values.cluster, policy);
      io.stderr.write(`${formatPlanResult(preview)}\n\n`);
      if (preview.refusals.length > 0) return ExitCode.problem;
      const { opId } = await operations.restart.start(values.cluster, policy, values.confirm);
      io.stderr.write(`Operation ${opId} started.\n`);
      const state = await waitForOperation(operations.engine, opId, io);
      io.stderr.write(`Operation ${opId}: ${state.status}\n`);
      if (values.json) io.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
      return state.status === 'succeeded' ? ExitCode.ok : ExitCode.problem;
    } finally {
      await operations.close();
      await hosts.close();
    }
  },
};

/** Step started/succeeded/failed and gate attempts, one line each, on stderr. */
export function progressPrinter(io: CliIO): OpsEventSink {
  const last = new Map<string, string>();
  return (event, payload) => {
    if (event !== 'opStepChanged') return;
    const { step, progress } = payload as { step: { id: string; title: string; status: string; phase?: string; gate?: { status: string; attempts: number; detail?: string }; error?: { message: string } }; progress: { done: number; total: number } };
    const gate = step.gate && step.gate.status !== 'pending' ? ` gate ${step.gate.status} (attempt ${step.gate.attempts}${step.gate.detail ? `: ${step.gate.detail}` : ''})` : '';
    const line = `[${progress.done}/${progress.total}] ${step.title}: ${step.status}${gate}${step.error ? ` — ${step.error.message}` : ''}`;
    if (last.get(step.id) === line) return;
    last.set(step.id, line);
    io.stderr.write(`${line}\n`);
  };
}

function commandOf(step: Step): string {
  const params = step.action.params;
  if (Array.isArray(params.argv)) return `$ ${(params.argv as string[]).join(' ')}  (on ${String(params.host)})`;
  if (step.action.kind === 'haproxy.setState') {
    const p = params as unknown as HaproxySetStateParams;
    return p.targets.map((t) => `haproxy ${t.host}: set server ${t.backend}/${t.server} state ${p.state}  (socket ${t.socket})`).join('\n');
  }
  return `${step.action.kind} ${JSON.stringify(params)}`;
}

export function formatPlan(plan: Plan): string {
  const lines = [plan.title];
  let index = 0;
  plan.batches.forEach((batch, b) => {
    lines.push('', `Batch ${b + 1}: ${batch.title}${batch.maxParallel ? ` (up to ${batch.maxParallel} at once)` : ''}`);
    for (const step of batch.steps) {
      index += 1;
      lines.push(`  ${index}. ${step.title}`);
      for (const command of commandOf(step).split('\n')) lines.push(`     ${command}`);
      if (step.guard) lines.push(`     skipped when: ${step.guard.kind}`);
      if (step.gate) lines.push(`     gate: ${step.gate.kind} (up to ${Math.round(step.gate.timeoutMs / 1000)} s)`);
      if (step.undo) lines.push(`     undo: ${step.undoTitle ?? step.undo.kind}`);
      if (step.serving) lines.push(`     serving: ${step.serving}`);
    }
  });
  return lines.join('\n');
}

export function formatPlanResult(result: RestartPlanResult): string {
  const parts = [formatPlan(result.plan)];
  if (result.warnings.length > 0) parts.push(`Warnings:\n${result.warnings.map((w) => `  - ${w}`).join('\n')}`);
  if (result.refusals.length > 0) parts.push(`REFUSED, the restart cannot start now:\n${result.refusals.map((r) => `  - ${r}`).join('\n')}`);
  return parts.join('\n\n');
}
