import { parseArgs } from 'node:util';
import { allProfiles, findingCatalog } from '../../../shared/stacks/catalog';
import { ExitCode, type CliCommand } from '../command';
import { connectionOptions, connectionUsage, loadClusters, openHosts } from '../context';
import { formatDuration, formatFinding, table } from '../format';
import { InspectEngine, type InspectResult } from '../../core/inspect/engine';
import { MongoClients } from '../../core/mongo/mongo-clients';
import { OperationEngine, operationsDir } from '../../core/ops/engine';
import { defaultDataDir } from '../../core/paths';
import { rollbackFindingSource } from '../../core/rollback/findings';
import { valueOf } from '../../../shared/stacks/profile';
import { hostProbes } from '../../../shared/stacks/profiles/generic';

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: "Inspect clusters once: every node's facts and all findings",
  usage: `Usage: switchboard inspect --inventory FILE [--cluster NAME] [--json] [connection options]

Runs one full inspection round of each cluster (or the one named) and prints every
node's facts and all findings, most severe first. FILE is a Switchboard inventory, an
Ansible INI/YAML inventory or an OpenSSH client config (detected by content).
Exit code 0 when there is no P1 finding, 2 when there is any.

Options:
  --inventory FILE    the clusters to inspect
  --cluster NAME      only this cluster
  --json              print {"clusters":[{cluster, hosts:[...], findings:[...]}]}
  --journal DIR       operation journals read for findings such as an undone rollback
                      (default: DATA_DIR/operations)
${connectionUsage}`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { inventory: { type: 'string' }, cluster: { type: 'string' }, json: { type: 'boolean' }, journal: { type: 'string' }, ...connectionOptions },
      strict: true,
    });
    const clusters = await loadClusters(io, values.inventory, values.cluster);
    const hosts = await openHosts(io, values, clusters);
    const mongo = new MongoClients(hosts.ssh.pool, hosts.secrets);
    // Only read: the journals say which rollbacks were undone by their health gate, as in the app.
    const journals = new OperationEngine({
      dir: values.journal ?? operationsDir(values['data-dir'] ?? defaultDataDir(io.env)),
      executors: {},
      checks: {},
      log: hosts.log,
      actor: io.env.USER ?? 'cli',
    });
    try {
      const engine = new InspectEngine({ runner: hosts.runner, mongo, profiles: allProfiles, log: hosts.log, findingSources: [rollbackFindingSource(journals)] });
      const results: InspectResult[] = [];
      for (const cluster of clusters) {
        io.stderr.write(`Inspecting ${cluster.name} (${cluster.hosts.length} hosts)…\n`);
        results.push(await engine.inspect(cluster, { signal: io.signal }));
      }
      if (values.json) io.stdout.write(`${JSON.stringify({ clusters: results.map(toJson) }, null, 2)}\n`);
      else io.stdout.write(results.map(toText).join('\n\n') + '\n');
      return results.some((r) => r.findings.some((f) => f.severity === 'P1')) ? ExitCode.problem : ExitCode.ok;
    } finally {
      await journals.dispose();
      await mongo.closeAll();
      await hosts.close();
    }
  },
};

function toJson(result: InspectResult) {
  const { cluster, hosts } = result.snapshot;
  return {
    cluster: cluster.name,
    environment: cluster.environment,
    simulated: cluster.simulated ?? false,
    durationMs: result.durationMs,
    hosts: hosts.map((h) => ({ name: h.host.name, address: h.host.address, roles: h.host.roles, reach: h.reach, facts: h.facts })),
    findings: result.findings,
  };
}

function toText(result: InspectResult): string {
  const { cluster, hosts } = result.snapshot;
  const label = `${cluster.environment}${cluster.simulated ? ', SIMULATION' : ''}`;
  const rows = hosts.map((h) => {
    const load = valueOf(h, hostProbes.loadavg);
    const mem = valueOf(h, hostProbes.meminfo);
    const up = valueOf(h, hostProbes.uptime);
    const worst = (['P1', 'P2', 'P3'] as const).find((s) => result.findings.some((f) => f.severity === s && f.hosts.includes(h.host.name)));
    return [
      h.host.name,
      h.host.roles.join(','),
      h.reach.ok ? (worst ?? 'ok') : `${worst ?? 'down'} (${h.reach.code})`,
      load ? load.load1.toFixed(2) : '-',
      mem?.availableBytes !== undefined ? `${Math.round((1 - mem.availableBytes / mem.totalBytes) * 100)}%` : '-',
      up ? formatDuration(up.uptimeSeconds) : '-',
    ];
  });
  const findings =
    result.findings.length === 0
      ? 'No findings.'
      : `Findings (${result.findings.length}):\n\n${result.findings.map((f) => formatFinding(f, findingCatalog.get(f.ruleId))).join('\n\n')}`;
  return [
    `Cluster ${cluster.name} (${label}): ${hosts.length} hosts, ${result.durationMs} ms`,
    '',
    table(['HOST', 'ROLES', 'STATUS', 'LOAD', 'MEM', 'UPTIME'], rows),
    '',
    findings,
  ].join('\n');
}
