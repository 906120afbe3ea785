import { describe, expect, it } from 'vitest';
import { planSchema, policySchema, type Plan, type Step } from './plan';
import type { JournalRecord, RecordInput } from './records';
import { OUTPUT_TAIL_CHARS, replay, replayJournal } from './replay';

const act = (kind: string, params: Record<string, unknown> = {}) => ({ kind, params });
const gate = { ...act('http.ok'), timeoutMs: 60_000, intervalMs: 1_000 };

function nodeSteps(node: string): Step[] {
  return [
    {
      id: `${node}-drain`,
      host: node,
      title: `Drain ${node}`,
      description: `HAProxy stops sending sessions to ${node}`,
      action: act('haproxy.state', { state: 'drain' }),
      undo: act('haproxy.state', { state: 'ready' }),
      undoTitle: `Set ${node} ready`,
      guard: act('haproxy.is', { state: 'drain' }),
    },
    {
      id: `${node}-stop`,
      host: node,
      title: `Stop ${node}`,
      description: 'stops the app',
      action: act('unit.stop'),
      undo: act('unit.start'),
      idempotent: true,
    },
    {
      id: `${node}-start`,
      host: node,
      title: `Start ${node}`,
      description: 'starts the app',
      action: act('unit.start'),
      gate,
      restores: [`${node}-stop`],
    },
    {
      id: `${node}-ready`,
      host: node,
      title: `Ready ${node}`,
      description: 'HAProxy sends sessions again',
      action: act('haproxy.state', { state: 'ready' }),
      restores: [`${node}-drain`],
    },
  ];
}

const plan: Plan = planSchema.parse({
  kind: 'restart',
  cluster: 'rc',
  title: 'Rolling restart of rc',
  batches: [
    { id: 'b1', title: 'rc1', steps: nodeSteps('rc1') },
    {
      id: 'b2',
      title: 'rc2',
      steps: [
        ...nodeSteps('rc2'),
        // No guard, not idempotent: a crash mid-action leaves a question only the admin can answer.
        { id: 'rc2-migrate', host: 'rc2', title: 'Migrate', description: 'runs migrations', action: act('exec'), undo: act('exec') },
      ],
    },
    {
      id: 'b3',
      title: 'both plugins',
      maxParallel: 2,
      steps: [
        { id: 'p1', host: 'rc1', title: 'Plugin rc1', description: 'x', action: act('exec'), undo: act('exec') },
        { id: 'p2', host: 'rc2', title: 'Plugin rc2', description: 'x', action: act('exec'), undo: act('exec') },
      ],
    },
  ],
});

/** Writes a journal the way the engine does: sequence numbers and times stamped in order. */
function journal() {
  const records: JournalRecord[] = [
    {
      seq: 0,
      time: '2026-03-01T10:00:00.000Z',
      type: 'created',
      opId: 'op-1',
      plan,
      policy: policySchema.parse({}),
      actor: 'alice',
      host: 'laptop',
    },
  ];
  const builder = {
    records,
    add(...inputs: RecordInput[]) {
      for (const input of inputs) {
        const seq = records.length;
        records.push({ ...input, seq, time: new Date(Date.parse('2026-03-01T10:00:00Z') + seq * 1000).toISOString() } as JournalRecord);
      }
      return builder;
    },
    /** A step that ran and succeeded, with its gate when it has one. */
    done(stepId: string) {
      builder.add({ type: 'step-started', stepId, attempt: 1 }, { type: 'step-succeeded', stepId });
      const step = plan.batches.flatMap((b) => b.steps).find((s) => s.id === stepId);
      if (step?.gate) builder.add({ type: 'gate-started', stepId }, { type: 'gate-passed', stepId, attempts: 1 });
      return builder;
    },
    state(active = false) {
      return replay(records, { active });
    },
  };
  return builder;
}

const stepOf = (state: ReturnType<typeof replay>, id: string) => state.steps.find((s) => s.id === id)!;
const node = (n: string) => nodeSteps(n).map((s) => s.id);

describe('replay: operation status', () => {
  it('a journal with only its created record is interrupted before the first step', () => {
    const state = journal().state();
    expect(state.status).toBe('interrupted');
    expect(state.stoppedAt).toEqual({ stepId: 'rc1-drain', phase: 'before' });
    expect(state.next).toEqual({ kind: 'continue', batchId: 'b1', steps: node('rc1').map((stepId) => ({ stepId, does: 'run' })) });
    expect(state.progress).toEqual({ done: 0, total: 11 });
    expect(state.pendingUndo).toEqual([]);
  });

  it('is running while an engine in this process drives it, and shows the steps in flight', () => {
    const state = journal().add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 }).state(true);
    expect(state.status).toBe('running');
    expect(state.currentStepIds).toEqual(['rc1-drain']);
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'running', phase: 'action', inDoubt: false });
    expect(state.stoppedAt).toBeUndefined();
  });

  it('is running elsewhere when another live process holds its lock', () => {
    const records = journal().add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 }).records;
    const state = replay(records, { active: false, elsewhere: { host: 'laptop', pid: 42 } });
    expect(state.status).toBe('running');
    expect(state.elsewhere).toEqual({ host: 'laptop', pid: 42 });
    expect(stepOf(state, 'rc1-drain').inDoubt).toBe(false);
  });

  it('succeeds when every step is done and finished is written; restored steps leave no undo', () => {
    const j = journal();
    for (const id of plan.batches.flatMap((b) => b.steps).map((s) => s.id)) {
      if (!id.startsWith('p')) j.done(id);
    }
    const beforeFinish = j.state();
    expect(beforeFinish.pendingUndo.map((p) => p.stepId)).toEqual(['rc2-migrate']);
    j.add({ type: 'step-skipped', stepId: 'p1', reason: 'not installed', by: 'alice' });
    j.add({ type: 'step-skipped', stepId: 'p2', reason: 'not installed', by: 'alice' });
    // All steps complete but the finished record is missing: a crash right at the end.
    expect(j.state().status).toBe('interrupted');
    expect(j.state().next).toEqual({ kind: 'finish' });
    j.add({ type: 'finished', outcome: 'succeeded' });
    const state = j.state();
    expect(state.status).toBe('succeeded');
    expect(state.next).toEqual({ kind: 'none' });
    expect(state.progress).toEqual({ done: 11, total: 11 });
    expect(stepOf(state, 'rc1-drain').undo).toBe('not-needed');
    expect(stepOf(state, 'rc1-start').undo).toBe('none');
    expect(stepOf(state, 'p1')).toMatchObject({ status: 'skipped', skipped: { reason: 'not installed', by: 'alice' } });
  });

  it('is paused after a paused record, and interrupted again once resumed by an engine that then vanished', () => {
    const j = journal().done('rc1-drain').add({ type: 'pause-requested', by: 'alice' });
    expect(j.state(true)).toMatchObject({ status: 'running', pauseRequested: true });
    j.add({ type: 'paused', by: 'alice' });
    expect(j.state()).toMatchObject({ status: 'paused', pauseRequested: false, stoppedAt: { stepId: 'rc1-stop', phase: 'before' } });
    j.add({ type: 'resumed', by: 'alice' });
    expect(j.state().status).toBe('interrupted');
  });
});

describe('replay: a crash between step-started and its result', () => {
  it('a guarded step is in doubt and its guard decides on resume', () => {
    const state = journal().add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 }).state();
    expect(state.status).toBe('interrupted');
    expect(state.stoppedAt).toEqual({ stepId: 'rc1-drain', phase: 'action' });
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'running', inDoubt: true, undo: 'pending' });
    expect(state.next).toMatchObject({
      kind: 'continue',
      steps: [{ stepId: 'rc1-drain', does: 'check-guard' }, { stepId: 'rc1-stop', does: 'run' }, { stepId: 'rc1-start', does: 'run' }, { stepId: 'rc1-ready', does: 'run' }],
    });
    // The drain may have happened: the admin is told, and undo would put it back.
    expect(state.pendingUndo).toEqual([
      { stepId: 'rc1-drain', host: 'rc1', title: 'Drain rc1', undoTitle: 'Set rc1 ready', certainty: 'maybe' },
    ]);
    expect(state.needsDecision).toBe(false);
  });

  it('an idempotent step without a guard is re-run', () => {
    const state = journal().done('rc1-drain').add({ type: 'step-started', stepId: 'rc1-stop', attempt: 1 }).state();
    expect(state.next).toMatchObject({ steps: [{ stepId: 'rc1-stop', does: 'rerun' }, { stepId: 'rc1-start', does: 'run' }, { stepId: 'rc1-ready', does: 'run' }] });
    expect(state.needsDecision).toBe(false);
  });

  it('a step with neither guard nor idempotence needs the admin to decide', () => {
    const j = journal();
    for (const id of node('rc1')) j.done(id);
    for (const id of node('rc2')) j.done(id);
    j.add({ type: 'step-started', stepId: 'rc2-migrate', attempt: 1 });
    const state = j.state();
    expect(state.status).toBe('interrupted');
    expect(state.needsDecision).toBe(true);
    expect(state.next).toEqual({ kind: 'continue', batchId: 'b2', steps: [{ stepId: 'rc2-migrate', does: 'ask' }] });
  });

  it('the admin marking it done counts as a change of ours, so its undo stays pending', () => {
    const state = journal()
      .add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 })
      .add({ type: 'resumed', by: 'bob', decisions: [{ stepId: 'rc1-drain', choice: 'mark-done' }] })
      .add({ type: 'step-succeeded', stepId: 'rc1-drain', markedDoneBy: 'bob' })
      .state();
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'succeeded', markedDoneBy: 'bob', undo: 'pending' });
    expect(state.pendingUndo[0]).toMatchObject({ stepId: 'rc1-drain', certainty: 'done' });
  });

  it('the guard finding the drain in place after an in-doubt start keeps its undo pending', () => {
    const state = journal()
      .add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 })
      .add({ type: 'resumed', by: 'alice' })
      .add({ type: 'step-already-done', stepId: 'rc1-drain', detail: 'rc1 is DRAIN' })
      .state();
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'succeeded', alreadyDone: true, undo: 'pending' });
  });

  it('a guard that found the effect already there on the first try changed nothing of ours', () => {
    const state = journal().add({ type: 'step-already-done', stepId: 'rc1-drain' }).state();
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'succeeded', alreadyDone: true, undo: 'not-needed', attempts: 0 });
    expect(state.pendingUndo).toEqual([]);
  });

  it('after the action succeeded, only the gate is checked again (before and during the gate)', () => {
    const j = journal().done('rc1-drain').done('rc1-stop').add(
      { type: 'step-started', stepId: 'rc1-start', attempt: 1 },
      { type: 'step-succeeded', stepId: 'rc1-start' },
    );
    expect(j.state().next).toMatchObject({ steps: [{ stepId: 'rc1-start', does: 'check-gate' }, { stepId: 'rc1-ready', does: 'run' }] });
    expect(j.state().stoppedAt).toEqual({ stepId: 'rc1-start', phase: 'gate' });
    j.add({ type: 'gate-started', stepId: 'rc1-start' });
    const state = j.state();
    expect(state.status).toBe('interrupted');
    expect(state.stoppedAt).toEqual({ stepId: 'rc1-start', phase: 'gate' });
    expect(stepOf(state, 'rc1-start')).toMatchObject({ status: 'running', phase: 'gate', inDoubt: false });
    expect(state.next).toMatchObject({ steps: [{ stepId: 'rc1-start', does: 'check-gate' }, { stepId: 'rc1-ready', does: 'run' }] });
  });

  it('a started-but-undecided retry attempt counts attempts', () => {
    const state = journal()
      .add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 }, { type: 'step-failed', stepId: 'rc1-drain', code: 'SSH_CONNECT', message: 'refused' })
      .add({ type: 'retried', by: 'alice', stepIds: ['rc1-drain'] }, { type: 'step-started', stepId: 'rc1-drain', attempt: 2 })
      .state();
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ attempts: 2, inDoubt: true });
    expect(stepOf(state, 'rc1-drain').error).toBeUndefined();
  });
});

describe('replay: failures, retry and skip', () => {
  it('a failed action stops the operation there, and its possible half-change is pending undo', () => {
    const j = journal().done('rc1-drain').add(
      { type: 'step-started', stepId: 'rc1-stop', attempt: 1 },
      { type: 'step-failed', stepId: 'rc1-stop', code: 'SSH_CHANNEL', message: 'exit 1' },
    );
    const state = j.state();
    expect(state.status).toBe('failed');
    expect(state.stoppedAt).toEqual({ stepId: 'rc1-stop', phase: 'action' });
    expect(stepOf(state, 'rc1-stop')).toMatchObject({ status: 'failed', error: { code: 'SSH_CHANNEL', message: 'exit 1' } });
    expect(state.pendingUndo.map((p) => [p.stepId, p.certainty])).toEqual([
      ['rc1-stop', 'maybe'],
      ['rc1-drain', 'done'],
    ]);
    expect(state.next).toMatchObject({ steps: [{ stepId: 'rc1-stop', does: 'run' }, { stepId: 'rc1-start', does: 'run' }, { stepId: 'rc1-ready', does: 'run' }] });
  });

  it('a failed gate stops at that node with the later steps untouched', () => {
    const j = journal().done('rc1-drain').done('rc1-stop').add(
      { type: 'step-started', stepId: 'rc1-start', attempt: 1 },
      { type: 'step-succeeded', stepId: 'rc1-start' },
      { type: 'gate-started', stepId: 'rc1-start' },
      { type: 'gate-failed', stepId: 'rc1-start', attempts: 7, message: 'HTTP 503' },
    );
    const state = j.state();
    expect(state.status).toBe('failed');
    expect(state.stoppedAt).toEqual({ stepId: 'rc1-start', phase: 'gate' });
    expect(stepOf(state, 'rc1-start')).toMatchObject({
      status: 'failed',
      phase: 'gate',
      gate: { status: 'failed', attempts: 7, detail: 'HTTP 503', timeoutMs: 60_000 },
    });
    expect(stepOf(state, 'rc1-ready').status).toBe('pending');
    expect(state.steps.filter((s) => s.batchId !== 'b1').every((s) => s.status === 'pending')).toBe(true);
    // The stop step was restored by the start that succeeded; the drain is still in place.
    expect(state.pendingUndo.map((p) => p.stepId)).toEqual(['rc1-drain']);
  });

  it('retry puts the failed gate back to pending, and the operation is no longer failed', () => {
    const j = journal().done('rc1-drain').done('rc1-stop').add(
      { type: 'step-started', stepId: 'rc1-start', attempt: 1 },
      { type: 'step-succeeded', stepId: 'rc1-start' },
      { type: 'gate-started', stepId: 'rc1-start' },
      { type: 'gate-failed', stepId: 'rc1-start', attempts: 7, message: 'HTTP 503' },
      { type: 'retried', by: 'alice', stepIds: ['rc1-start'] },
    );
    expect(j.state(true).status).toBe('running');
    expect(j.state().next).toMatchObject({ steps: [{ stepId: 'rc1-start', does: 'check-gate' }, { stepId: 'rc1-ready', does: 'run' }] });
  });

  it('skipping the failed step leaves a paused operation that goes on from the next step', () => {
    const state = journal()
      .add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 }, { type: 'step-failed', stepId: 'rc1-drain', code: 'X', message: 'no socket' })
      .add({ type: 'step-skipped', stepId: 'rc1-drain', reason: 'HAProxy not used on this node', by: 'alice' })
      .state();
    expect(state.status).toBe('paused');
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'skipped', skipped: { reason: 'HAProxy not used on this node' } });
    expect(state.next).toMatchObject({ steps: [{ stepId: 'rc1-stop', does: 'run' }, { stepId: 'rc1-start', does: 'run' }, { stepId: 'rc1-ready', does: 'run' }] });
    expect(state.progress.done).toBe(1);
    // It was started, so whatever it did is still listed for undo.
    expect(state.pendingUndo.map((p) => p.stepId)).toEqual(['rc1-drain']);
  });

  it('in a parallel batch, a failure with a sibling still in flight is interrupted, then failed once the sibling ends', () => {
    const j = journal();
    for (const id of [...node('rc1'), ...node('rc2')]) j.done(id);
    j.done('rc2-migrate').add(
      { type: 'step-started', stepId: 'p1', attempt: 1 },
      { type: 'step-started', stepId: 'p2', attempt: 1 },
      { type: 'step-failed', stepId: 'p1', code: 'X', message: 'boom' },
    );
    expect(j.state().status).toBe('interrupted');
    expect(j.state().stoppedAt).toEqual({ stepId: 'p2', phase: 'action' });
    j.add({ type: 'step-succeeded', stepId: 'p2' });
    expect(j.state().status).toBe('failed');
    expect(j.state().next).toEqual({ kind: 'continue', batchId: 'b3', steps: [{ stepId: 'p1', does: 'run' }] });
  });
});

describe('replay: abort and undo', () => {
  function abortedDuringGate() {
    return journal()
      .done('rc1-drain')
      .done('rc1-stop')
      .add(
        { type: 'step-started', stepId: 'rc1-start', attempt: 1 },
        { type: 'step-succeeded', stepId: 'rc1-start' },
        { type: 'gate-started', stepId: 'rc1-start' },
        { type: 'abort-requested', by: 'alice' },
        { type: 'gate-cancelled', stepId: 'rc1-start', attempts: 2 },
        { type: 'aborted', by: 'alice', pendingUndo: ['rc1-drain'] },
      );
  }

  it('an abort during a gate leaves an aborted operation with its pending undos, newest first', () => {
    const state = abortedDuringGate().state();
    expect(state.status).toBe('aborted');
    expect(state.stoppedAt).toEqual({ stepId: 'rc1-start', phase: 'gate' });
    expect(stepOf(state, 'rc1-start').gate).toMatchObject({ status: 'pending', attempts: 2 });
    expect(state.pendingUndo.map((p) => p.stepId)).toEqual(['rc1-drain']);
  });

  it('undo runs newest change first, survives a crash mid-undo, and ends reverted', () => {
    const j = journal()
      .done('rc1-drain')
      .add({ type: 'step-started', stepId: 'rc1-stop', attempt: 1 }, { type: 'step-succeeded', stepId: 'rc1-stop' })
      .add({ type: 'aborted', by: 'alice', pendingUndo: ['rc1-stop', 'rc1-drain'] });
    expect(j.state().pendingUndo.map((p) => p.stepId)).toEqual(['rc1-stop', 'rc1-drain']);
    j.add(
      { type: 'undo-started', by: 'alice', reason: 'admin', stepIds: ['rc1-stop', 'rc1-drain'] },
      { type: 'undo-step-started', stepId: 'rc1-stop' },
      { type: 'undo-step-succeeded', stepId: 'rc1-stop' },
      { type: 'undo-step-started', stepId: 'rc1-drain' },
    );
    let state = j.state();
    expect(state).toMatchObject({ status: 'interrupted', mode: 'undo', stoppedAt: { stepId: 'rc1-drain', phase: 'undo' } });
    expect(state.next).toEqual({ kind: 'undo', stepIds: ['rc1-drain'] });
    expect(stepOf(state, 'rc1-stop').status).toBe('undone');
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ status: 'running', phase: 'undo', undo: 'running' });

    j.add({ type: 'undo-step-failed', stepId: 'rc1-drain', code: 'SSH_CONNECT', message: 'refused' });
    state = j.state();
    expect(state.status).toBe('failed');
    expect(stepOf(state, 'rc1-drain')).toMatchObject({ undo: 'failed', error: { message: 'Undo failed: refused' } });
    expect(state.pendingUndo.map((p) => p.stepId)).toEqual(['rc1-drain']);

    j.add(
      { type: 'undo-started', by: 'alice', reason: 'admin', stepIds: ['rc1-drain'] },
      { type: 'undo-step-started', stepId: 'rc1-drain' },
      { type: 'undo-step-succeeded', stepId: 'rc1-drain' },
      { type: 'finished', outcome: 'reverted', by: 'alice' },
    );
    state = j.state();
    expect(state.status).toBe('reverted');
    expect(state.pendingUndo).toEqual([]);
    expect(state.steps.filter((s) => s.status === 'undone').map((s) => s.id)).toEqual(['rc1-drain', 'rc1-stop']);
  });

  it('undoing a restoring step makes the step it restored pending again', () => {
    const j = journal().done('rc1-drain').done('rc1-stop').done('rc1-start').done('rc1-ready');
    expect(j.state().pendingUndo).toEqual([]);
    // Not a plan anyone writes, but the rule must hold: a restore that was itself undone restores nothing.
    const records = j.records.map((r) => r);
    const custom = replayJournal(records);
    custom.apply({ seq: 99, time: '2026-03-01T11:00:00.000Z', type: 'undo-step-succeeded', stepId: 'rc1-start' });
    expect(custom.pendingUndo().map((p) => p.stepId)).toEqual(['rc1-stop']);
  });

  it('closing an operation as it stands records what was left on purpose', () => {
    const state = abortedDuringGate()
      .add({ type: 'finished', outcome: 'aborted', by: 'bob', reason: 'node retired', leftAsIs: ['rc1-drain'] })
      .state();
    expect(state.status).toBe('aborted');
    expect(state.finished).toMatchObject({ outcome: 'aborted', by: 'bob', reason: 'node retired', leftAsIs: ['rc1-drain'] });
    expect(state.next).toEqual({ kind: 'none' });
  });
});

describe('replay: output and robustness', () => {
  it('keeps the tail of a step’s output and counts what it dropped', () => {
    const big = 'x'.repeat(OUTPUT_TAIL_CHARS);
    const state = journal()
      .add({ type: 'step-started', stepId: 'rc1-drain', attempt: 1 })
      .add({ type: 'step-output', stepId: 'rc1-drain', phase: 'action', text: 'first line\n' })
      .add({ type: 'step-output', stepId: 'rc1-drain', phase: 'action', text: `${big}END`, omittedChars: 500 })
      .state();
    const step = stepOf(state, 'rc1-drain');
    expect(step.output.length).toBe(OUTPUT_TAIL_CHARS);
    expect(step.output.endsWith('END')).toBe(true);
    expect(step.omittedChars).toBe(500 + 'first line\n'.length + 3);
  });

  it('ignores records about steps the plan does not have', () => {
    const state = journal().add({ type: 'step-started', stepId: 'ghost', attempt: 1 }).state();
    expect(state.status).toBe('interrupted');
    expect(state.steps.some((s) => s.id === 'ghost')).toBe(false);
  });

  it('refuses a journal that does not start with created', () => {
    expect(() => replay([{ seq: 0, time: 't', type: 'paused', by: 'x' }])).toThrow(/created record/);
  });
});

describe('plan schema', () => {
  it('refuses duplicate step ids and restores that do not point to an earlier step', () => {
    const bad = planSchema.safeParse({
      kind: 'restart',
      cluster: 'rc',
      title: 't',
      batches: [
        {
          id: 'b',
          title: 'b',
          steps: [
            { id: 'a', title: 'a', description: '', action: act('x'), restores: ['later'] },
            { id: 'a', title: 'a', description: '', action: act('x') },
            { id: 'later', title: 'l', description: '', action: act('x') },
          ],
        },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual([
      'step "a" restores "later", which is not an earlier step',
      'step id "a" is used twice',
    ]);
  });
});
