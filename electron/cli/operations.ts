import type { Cluster } from '../../shared/inventory/schema';
import { LICENSE_FILE_PLAN_KIND } from '../../shared/license/file-plan';
import { LICENSE_PLAN_KIND } from '../../shared/license/plan';
import type { OpState } from '../../shared/ops/state';
import { ROLLBACK_PLAN_KIND } from '../../shared/rollback/planner';
import { allProfiles } from '../../shared/stacks/catalog';
import { AuditLog } from '../core/audit/audit-log';
import { InspectEngine } from '../core/inspect/engine';
import { licenseParts } from '../core/license/parts';
import { LicenseService } from '../core/license/service';
import { MongoClients } from '../core/mongo/mongo-clients';
import { OperationEngine, operationsDir, type OpsEventSink } from '../core/ops/engine';
import { outcomeAudit } from '../core/ops/outcome-audit';
import { defaultDataDir } from '../core/paths';
import { restartKinds } from '../core/restart/kinds';
import { RestartService } from '../core/restart/service';
import { rollbackKinds } from '../core/rollback/kinds';
import { rollbackOutcomeAuditor } from '../core/rollback/outcome';
import { RollbackService } from '../core/rollback/service';
import { UsageError, type CliIO } from './command';
import type { ConnectionFlags, HostsContext } from './context';

/**
 * The operation engine as the CLI runs it: every kind the app registers (so `ops resume` can
 * finish any operation), the app's audit log with each feature's outcome entry, and the
 * services that start restarts, rollbacks and license operations.
 */
export function openOperations(io: CliIO, flags: ConnectionFlags & { journal?: string | undefined }, clusters: readonly Cluster[], hosts: HostsContext, emit?: OpsEventSink) {
  const dataDir = flags['data-dir'] ?? defaultDataDir(io.env);
  const mongo = new MongoClients(hosts.ssh.pool, hosts.secrets);
  const inspect = new InspectEngine({ runner: hosts.runner, mongo, profiles: allProfiles, log: hosts.log });
  const cluster = async (name: string) => {
    const found = clusters.find((c) => c.name === name);
    if (!found) throw new UsageError(`no cluster "${name}"`);
    return found;
  };
  const restartSet = restartKinds({ runner: hosts.runner, cluster, mongo: (c) => mongo.db(c) });
  const rollbackSet = rollbackKinds({ runner: hosts.runner, cluster });
  const licensing = licenseParts({ dataDir, runner: hosts.runner, secrets: hosts.secrets, mongo, inspect, cluster });
  // The same audit log as the app's: what the CLI starts and how it ended show in its Activity list.
  const audit = new AuditLog(dataDir);
  const engine: OperationEngine = new OperationEngine({
    dir: flags.journal ?? operationsDir(dataDir),
    executors: { ...restartSet.executors, ...rollbackSet.executors, ...licensing.kinds.executors },
    checks: { ...restartSet.checks, ...rollbackSet.checks, ...licensing.kinds.checks },
    log: hosts.log,
    actor: io.env.USER ?? 'cli',
    ...(emit ? { emit } : {}),
    onRecord: outcomeAudit(
      { get: (opId) => engine.get(opId), append: (entry) => audit.append(entry), log: hosts.log },
      { [ROLLBACK_PLAN_KIND]: rollbackOutcomeAuditor, [LICENSE_PLAN_KIND]: (state) => license.outcomeAuditor(state), [LICENSE_FILE_PLAN_KIND]: (state) => license.outcomeAuditor(state) },
    ),
  });
  const all = async () => [...clusters];
  const restart = new RestartService({ clusters: all, snapshot: async (c) => (await inspect.inspect(c, { signal: io.signal })).snapshot, engine, audit });
  const rollback = new RollbackService({ clusters: all, runner: hosts.runner, engine, audit });
  const license = new LicenseService({ clusters: all, runner: hosts.runner, db: licensing.db, engine, files: licensing.files, verifier: licensing.verifier, audit });
  return {
    engine,
    restart,
    rollback,
    license,
    close: async () => {
      await engine.dispose();
      await mongo.closeAll();
    },
  };
}

/** Waits for an operation to settle; Ctrl-C aborts it (the engine then puts back what it changed). */
export async function waitForOperation(engine: OperationEngine, opId: string, io: CliIO): Promise<OpState> {
  const stop = () => void engine.abort(opId).catch(() => undefined);
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    return await engine.settled(opId);
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
}
