import { parseArgs } from 'node:util';
import type { OpState, OpSummary } from '../../../shared/ops/state';
import { createLogger, stderrSink } from '../../core/log/logger';
import { OperationEngine, operationsDir } from '../../core/ops/engine';
import { defaultDataDir } from '../../core/paths';
import { ExitCode, UsageError, type CliCommand, type CliIO } from '../command';
import { connectionOptions, connectionUsage, loadClusters, openHosts } from '../context';
import { openOperations } from '../operations';
import { progressPrinter } from './restart';

const usage = `Usage: switchboard ops list [--journal DIR] [--json]
       switchboard ops show ID [--journal DIR] [--json]
       switchboard ops resume ID --inventory FILE [--journal DIR]
       switchboard ops abort ID [--journal DIR]

Operations (staged restarts, license imports, rollbacks) as their journals record them.
"resume" goes on at the exact step where an interrupted or paused operation stopped (it
reaches the hosts, so it needs the inventory); "abort" stops an operation before its next
step and lists what is left to undo. Exit codes: 0 done; 2 the operation did not succeed.

Options:
  --journal DIR   where operation journals live (default: DATA_DIR/operations)
  --inventory F   the inventory (resume only)
  --json          machine-readable output
${connectionUsage}`;

export const opsCommand: CliCommand = {
  name: 'ops',
  summary: 'List, show, resume or abort operations (staged restarts and others)',
  usage,
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      options: { journal: { type: 'string' }, json: { type: 'boolean' }, inventory: { type: 'string' }, ...connectionOptions },
      strict: true,
      allowPositionals: true,
    });
    const journal = values.journal ?? operationsDir(values['data-dir'] ?? defaultDataDir(io.env));
    const id = positionals[0];
    if (subcommand !== 'list' && id === undefined) throw new UsageError(`ops ${subcommand ?? ''} needs an operation id`.trim());
    switch (subcommand) {
      case 'list':
        return withEngine(io, journal, async (engine) => {
          const ops = await engine.list();
          io.stdout.write(values.json ? `${JSON.stringify(ops, null, 2)}\n` : `${ops.map(summaryLine).join('\n') || 'No operations.'}\n`);
          return ExitCode.ok;
        });
      case 'show':
        return withEngine(io, journal, async (engine) => {
          const state = await engine.get(id!);
          io.stdout.write(values.json ? `${JSON.stringify(state, null, 2)}\n` : `${formatState(state)}\n`);
          return ExitCode.ok;
        });
      case 'abort':
        return withEngine(io, journal, async (engine) => {
          const result = await engine.abort(id!);
          io.stdout.write(`${summaryLine(result.op)}\n`);
          for (const pending of result.pendingUndo) io.stdout.write(`  still to undo: ${pending.undoTitle ?? pending.title} (${pending.certainty})\n`);
          return ExitCode.ok;
        });
      case 'resume': {
        const clusters = await loadClusters(io, values.inventory);
        const hosts = await openHosts(io, values, clusters);
        const operations = openOperations(io, { ...values, journal }, clusters, hosts, progressPrinter(io));
        try {
          await operations.engine.resume(id!);
          const state = await operations.engine.settled(id!);
          io.stderr.write(`Operation ${id}: ${state.status}\n`);
          return state.status === 'succeeded' ? ExitCode.ok : ExitCode.problem;
        } finally {
          await operations.close();
          await hosts.close();
        }
      }
      default:
        throw new UsageError(subcommand === undefined ? 'a subcommand is required: list, show, resume or abort' : `unknown subcommand "${subcommand}" (list, show, resume, abort)`);
    }
  },
};

/** An engine that only reads and writes journals: no executors, so it can list, show and abort, not run. */
async function withEngine(io: CliIO, dir: string, run: (engine: OperationEngine) => Promise<number>): Promise<number> {
  const log = createLogger({ minLevel: 'error', sink: stderrSink });
  const engine = new OperationEngine({ dir, executors: {}, checks: {}, log, actor: io.env.USER ?? 'cli' });
  try {
    return await run(engine);
  } finally {
    await engine.dispose();
  }
}

function summaryLine(op: OpSummary): string {
  return `${op.id}  ${op.status.padEnd(11)} ${op.cluster}  ${op.progress.done}/${op.progress.total}  ${op.title}${op.pendingUndoCount > 0 ? `  (${op.pendingUndoCount} to undo)` : ''}`;
}

function formatState(state: OpState): string {
  const lines = [summaryLine(state), ''];
  for (const step of state.steps) {
    const gate = step.gate ? `  gate ${step.gate.status}${step.gate.detail ? `: ${step.gate.detail}` : ''}` : '';
    lines.push(`  ${String(step.index + 1).padStart(3)}. ${step.status.padEnd(9)} ${step.title}${gate}${step.error ? `  — ${step.error.message}` : ''}`);
  }
  if (state.stoppedAt) lines.push('', `Stopped at ${state.stoppedAt.stepId} (${state.stoppedAt.phase}).`);
  for (const pending of state.pendingUndo) lines.push(`  still to undo: ${pending.undoTitle ?? pending.title}`);
  return lines.join('\n');
}
