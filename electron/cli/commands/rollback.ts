import { parseArgs } from 'node:util';
import type { Cluster } from '../../../shared/inventory/schema';
import type { HostInspection } from '../../core/rollback/service';
import { ExitCode, UsageError, type CliCommand, subcommandOf } from '../command';
import { connectionOptions, connectionUsage, loadClusters, openHosts } from '../context';
import { openOperations, waitForOperation } from '../operations';
import { formatPlan, progressPrinter } from './restart';

const usage = `Usage: switchboard rollback plan --inventory FILE --cluster NAME --node HOST[,HOST…] [--unit UNIT] [--release] [--json]
       switchboard rollback run  --inventory FILE --cluster NAME --node HOST[,HOST…] [--unit UNIT] [--release] --yes [--json]

One-click OTA rollback of a VOMS server (FIELD-NOTES §4), verified and undone if it makes
things worse: stop the unit, keep the current build as server.failed-<UTC time>, copy the
backup to a temporary name beside the binary, check its SHA-256 and rename it over the
binary, start the unit and wait for its health gate (health endpoint OK, active and not
restarted for the settle time). If the gate fails, the failed build is put back and started.
Several hosts roll back one at a time, stopping at the first failure.
"plan" prints both builds, the checks and the steps (nothing runs); "run" runs them.
Exit codes: 0 done; 2 refused (a red check), the gate failed or the run was stopped; 1 usage.

Options:
  --inventory FILE   the inventory
  --cluster NAME     the cluster
  --node HOST[,…]    the host(s) to roll back, in this order
  --unit UNIT        the systemd unit of the server (default: the inventory's, else voms-server)
  --release          no usable backup: run the previous release's deploy script
                     (label voms.releasePrev, default /opt/voms-release-prev) under the same gate
  --settle S         seconds the unit must stay up without a restart (default 20)
  --json             print the inspection and plan (or the final state) as JSON
  --yes              run without asking (required by "run")
  --confirm NAME     the cluster's name, required for a production cluster
  --journal DIR      where operation journals live (default: DATA_DIR/operations)
${connectionUsage}`;

/** The cluster with the voms-server unit of `nodes` set to `unit` (the --unit flag). */
function withUnit(cluster: Cluster, nodes: readonly string[], unit: string | undefined): Cluster {
  if (unit === undefined) return cluster;
  return {
    ...cluster,
    hosts: cluster.hosts.map((host) =>
      nodes.includes(host.name)
        ? { ...host, services: [...(host.services ?? []).filter((s) => s.name !== 'voms-server'), { name: 'voms-server', kind: 'systemd' as const, unit }] }
        : host,
    ),
  };
}

function formatInspection(inspection: HostInspection, release: boolean): string {
  const build = (label: string, b: HostInspection['current'] | null) =>
    b === null
      ? `  ${label}: missing`
      : `  ${label}: ${b.path}  ${b.exists ? '' : 'MISSING '}${b.executable ? 'executable' : 'not executable'}  sha256 ${b.sha256 ?? '?'}  ${b.size ?? '?'} bytes  ${b.mtime ?? ''}${b.version ? `  ${b.version}` : ''}`;
  const mark = { green: 'ok  ', amber: 'WARN', red: 'FAIL' } as const;
  return [
    `${inspection.host}: ${inspection.summary}`,
    build('current', inspection.current),
    build('backup ', inspection.backup),
    `  Restart=${inspection.restartSetting}`,
    ...(release ? [`  release rollback: sh ${inspection.release.deployScript}`] : []),
    ...(release ? inspection.release.checks : inspection.checks).map((c) => `  [${mark[c.level]}] ${c.message.en}`),
  ].join('\n');
}

export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'Plan or run a verified OTA rollback of a VOMS server',
  usage,
  async run(argv, io) {
    const [subcommand, rest] = subcommandOf(argv, ['plan', 'run'] as const);
    const { values } = parseArgs({
      args: rest,
      options: {
        inventory: { type: 'string' },
        cluster: { type: 'string' },
        node: { type: 'string' },
        unit: { type: 'string' },
        settle: { type: 'string' },
        release: { type: 'boolean' },
        json: { type: 'boolean' },
        yes: { type: 'boolean' },
        confirm: { type: 'string' },
        journal: { type: 'string' },
        ...connectionOptions,
      },
      strict: true,
    });
    if (!values.cluster) throw new UsageError('--cluster NAME is required');
    const nodes = (values.node ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
    if (nodes.length === 0) throw new UsageError('--node HOST is required');
    if (subcommand === 'run' && !values.yes) throw new UsageError('rollback run changes the host: add --yes (read "rollback plan" first)');
    const settleSeconds = values.settle === undefined ? undefined : Number(values.settle);
    if (settleSeconds !== undefined && !(Number.isInteger(settleSeconds) && settleSeconds >= 0 && settleSeconds <= 600)) throw new UsageError('--settle takes whole seconds, 0 to 600');

    const clusters = (await loadClusters(io, values.inventory, values.cluster)).map((c) => (c.name === values.cluster ? withUnit(c, nodes, values.unit) : c));
    const hosts = await openHosts(io, values, clusters);
    const operations = openOperations(io, values, clusters, hosts, subcommand === 'run' ? progressPrinter(io) : undefined);
    const service = operations.rollback;
    const input = {
      cluster: values.cluster,
      host: nodes[0]!,
      moreHosts: nodes.slice(1),
      ...(values.confirm ? { confirmName: values.confirm } : {}),
      ...(values.release ? { mode: 'release' as const } : {}),
      ...(settleSeconds !== undefined ? { settleSeconds } : {}),
    };
    try {
      const inspections = await Promise.all(nodes.map((node) => service.inspect(input.cluster, node)));
      const blocked = inspections.some((i) => !(values.release ? i.release.canRun : i.canRun));
      const plan = blocked ? undefined : (await service.plan(input)).plan;
      if (subcommand === 'plan' || blocked) {
        if (values.json) io.stdout.write(`${JSON.stringify({ inspections, plan: plan ?? null }, null, 2)}\n`);
        else io.stdout.write(`${[...inspections.map((i) => formatInspection(i, values.release === true)), plan ? formatPlan(plan) : 'REFUSED: a check failed (FAIL above); nothing was changed.'].join('\n\n')}\n`);
        return blocked ? ExitCode.problem : ExitCode.ok;
      }
      io.stderr.write(`${inspections.map((i) => formatInspection(i, values.release === true)).join('\n\n')}\n\n`);
      const { opId } = await service.start(input);
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
