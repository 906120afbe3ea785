import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { opsCalls, opsEvents } from '../../../shared/contract/ops';
import { createLogger } from '../log/logger';
import { Dispatcher } from '../rpc/dispatcher';
import { ManualClock } from './clock';
import { OperationEngine, operationsDir } from './engine';
import { opsHandlers } from './handlers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An engine behind the real dispatcher, which checks every answer against the contract's schemas. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ops-rpc-'));
  const eventProblems: string[] = [];
  let failuresLeft = 1;
  const log = createLogger({ sink: () => undefined });
  const engine = new OperationEngine({
    dir: operationsDir(dir),
    clock: new ManualClock(Date.parse('2026-03-01T10:00:00Z'), { autoAdvance: true }),
    log,
    actor: 'alice',
    executors: {
      run: async (params, ctx) => {
        ctx.output(`running ${ctx.stepId}\n`);
        if (params.flaky && failuresLeft-- > 0) throw new AppError('SSH_CHANNEL', 'exit status 1');
      },
      revert: async () => {},
    },
    checks: { healthy: async () => ({ ok: true, detail: 'HTTP 200' }) },
    emit: (event, payload) => {
      const checked = opsEvents[event].payload.safeParse(payload);
      if (!checked.success) eventProblems.push(`${event}: ${checked.error.message}`);
    },
  });
  cleanups.push(() => engine.dispose(), () => rmSync(dir, { recursive: true, force: true }));
  const dispatcher = new Dispatcher({ ops: opsCalls }, { ops: opsHandlers(engine) }, log);
  return { engine, dispatcher, eventProblems };
}

const plan = {
  kind: 'restart',
  cluster: 'rc',
  title: 'Restart rc',
  batches: [
    {
      id: 'b1',
      title: 'rc1',
      steps: [
        {
          id: 'drain',
          host: 'rc1',
          title: 'Drain rc1',
          description: 'HAProxy stops sending sessions to rc1',
          action: { kind: 'run', params: {} },
          undo: { kind: 'revert', params: {} },
          undoTitle: 'Set rc1 ready',
        },
        {
          id: 'restart',
          host: 'rc1',
          title: 'Restart rc1',
          description: 'systemctl restart rocketchat',
          action: { kind: 'run', params: { flaky: true } },
          gate: { kind: 'healthy', params: {}, timeoutMs: 10_000, intervalMs: 500 },
          serving: '3 of 4 nodes serving',
        },
      ],
    },
  ],
};

describe('ops.* through the dispatcher', () => {
  it('answers every call with results the contract accepts, and emits events it accepts', async () => {
    const { engine, dispatcher, eventProblems } = setup();
    const opId = await engine.start(plan);
    await engine.settled(opId);

    const list = await dispatcher.dispatch('ops.list', {});
    expect(list).toMatchObject({ ok: true, result: [{ id: opId, status: 'failed', pendingUndoCount: 1 }] });
    const got = await dispatcher.dispatch('ops.get', { opId });
    expect(got).toMatchObject({
      ok: true,
      result: {
        stoppedAt: { stepId: 'restart', phase: 'action' },
        steps: [{ id: 'drain', output: 'running drain\n' }, { id: 'restart', error: { code: 'SSH_CHANNEL' } }],
      },
    });

    expect(await dispatcher.dispatch('ops.retry', { opId })).toMatchObject({ ok: true, result: { status: 'running' } });
    await engine.settled(opId);
    expect(await dispatcher.dispatch('ops.get', { opId })).toMatchObject({ ok: true, result: { status: 'succeeded' } });
    expect(eventProblems).toEqual([]);
  });

  it('answers with typed errors: bad input, unknown operation, wrong state', async () => {
    const { engine, dispatcher } = setup();
    const opId = await engine.start(plan);
    await engine.settled(opId);

    expect(await dispatcher.dispatch('ops.get', { opId: '../../etc' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await dispatcher.dispatch('ops.skip', { opId, stepId: 'restart', reason: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await dispatcher.dispatch('ops.get', { opId: 'op-unknown' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatcher.dispatch('ops.pause', { opId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const aborted = await dispatcher.dispatch('ops.abort', { opId });
    expect(aborted).toMatchObject({
      ok: true,
      result: { op: { status: 'aborted' }, pendingUndo: [{ stepId: 'drain', certainty: 'done', undoTitle: 'Set rc1 ready' }] },
    });
    expect(await dispatcher.dispatch('ops.close', { opId, reason: 'checked rc1 by hand' })).toMatchObject({
      ok: true,
      result: { status: 'aborted', pendingUndoCount: 1 },
    });
    expect(await dispatcher.dispatch('ops.undo', { opId })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: 'The operation has finished.' } });
  });
});
