import { describe, expect, it, vi } from 'vitest';
import type { OpState, OpSummary } from '../../../shared/ops/state';
import { createOperationsStore, type OperationsClient, type OpNotice } from './operations-store';
import { opState, stepState, summary } from './model/testing';

/** A fake main process: answers `ops.get` from a table the test edits; the test runs the frame flush by hand. */
function setup(states: Record<string, OpState>, list: OpSummary[] = []) {
  const answer = (opId: string) => summary(opId, { updatedAt: states[opId]?.updatedAt ?? '2025-01-01T10:00:00.000Z' });
  const client = {
    list: vi.fn(async () => list),
    get: vi.fn(async ({ opId }: { opId: string }) => {
      const state = states[opId];
      if (!state) throw new Error(`No operation ${opId}.`);
      return structuredClone(state);
    }),
    pause: vi.fn(async ({ opId }: { opId: string }) => answer(opId)),
    resume: vi.fn(async ({ opId }: { opId: string }) => answer(opId)),
    abort: vi.fn(async ({ opId }: { opId: string }) => ({ op: answer(opId), pendingUndo: [] })),
    undo: vi.fn(async ({ opId }: { opId: string }) => answer(opId)),
    retry: vi.fn(async ({ opId }: { opId: string }) => answer(opId)),
    skip: vi.fn(async ({ opId }: { opId: string }) => answer(opId)),
    close: vi.fn(async (): Promise<OpSummary> => {
      throw new Error('The operation is running; pause or abort it first.');
    }),
  } satisfies OperationsClient;
  const frames: Array<() => void> = [];
  const notices: OpNotice[] = [];
  const store = createOperationsStore(client, { schedule: (flush) => frames.push(flush), onNotice: (notice) => notices.push(notice) });
  const runFrame = () => frames.splice(0).forEach((flush) => flush());
  return { client, store, runFrame, frames, notices };
}

const at = (second: number) => `2025-01-01T10:00:${String(second).padStart(2, '0')}.000Z`;

describe('the operations store', () => {
  it('applies a burst of events in one update per frame, and ignores a summary older than the one it has', async () => {
    const { store, runFrame, frames } = setup({}, [summary('op1', { updatedAt: at(5), progress: { done: 1, total: 4 } })]);
    await store.getState().loadList();
    const notified = vi.fn();
    const unsubscribe = store.subscribe(notified);
    store.getState().receiveChanged(summary('op1', { updatedAt: at(3), progress: { done: 0, total: 4 } }));
    store.getState().receiveChanged(summary('op2', { updatedAt: at(6) }));
    expect(frames).toHaveLength(1);
    runFrame();
    unsubscribe();
    expect(notified).toHaveBeenCalledTimes(1);
    expect(store.getState().ops.op1?.progress.done).toBe(1);
    expect(Object.keys(store.getState().ops).sort()).toEqual(['op1', 'op2']);
  });

  it('merges step events into the open operation and keeps the step output', async () => {
    const state = opState('op1', [stepState('s1', { status: 'running', output: 'draining\n' }), stepState('s2')]);
    const { store, runFrame } = setup({ op1: state });
    await store.getState().load('op1');
    const { output: _output, omittedChars: _omitted, ...started } = stepState('s1', { status: 'succeeded', endedAt: at(9) });
    store.getState().receiveStep({ opId: 'op1', step: started, progress: { done: 1, total: 2 } });
    runFrame();
    const detail = store.getState().details.op1;
    expect(detail?.state?.steps[0]).toMatchObject({ status: 'succeeded', endedAt: at(9), output: 'draining\n' });
    expect(detail?.state?.progress).toEqual({ done: 1, total: 2 });
    expect(store.getState().ops.op1?.progress).toEqual({ done: 1, total: 2 });
  });

  it('seeds output from the journal once, then appends live output in order', async () => {
    const { store, runFrame } = setup({ op1: opState('op1', [stepState('s1', { output: 'line 1\n', omittedChars: 10 }), stepState('s2')]) });
    await store.getState().load('op1');
    store.getState().receiveOutput({ opId: 'op1', stepId: 's2', phase: 'action', text: 'other\n', omittedChars: 0 });
    store.getState().receiveOutput({ opId: 'op1', stepId: 's1', phase: 'action', text: 'line 2\n', omittedChars: 0 });
    runFrame();
    await store.getState().load('op1');
    const detail = store.getState().details.op1;
    expect(detail?.output.s1).toEqual({ text: 'line 1\nline 2\n', omittedChars: 10 });
    expect(detail?.output.s2?.text).toBe('other\n');
    expect(detail?.outputOrder).toEqual(['s1', 's2']);
  });

  it('keeps no output of operations nobody opened', () => {
    const { store, runFrame } = setup({});
    store.getState().receiveOutput({ opId: 'op9', stepId: 's1', phase: 'action', text: 'x', omittedChars: 0 });
    runFrame();
    expect(store.getState().details.op9).toBeUndefined();
  });

  it('reads the whole state again when the status changes, and again if events came while it was read', async () => {
    const states = { op1: opState('op1', [stepState('s1', { status: 'running' })], { updatedAt: at(1) }) };
    const { store, client, runFrame } = setup(states);
    await store.getState().load('op1');
    expect(client.get).toHaveBeenCalledTimes(1);

    states.op1 = opState('op1', [stepState('s1', { status: 'failed' })], { status: 'failed', updatedAt: at(2), currentStepIds: ['s1'] });
    store.getState().receiveChanged(summary('op1', { status: 'failed', updatedAt: at(2), currentStepIds: ['s1'] }));
    runFrame();
    // An event arrives while that read is in flight: one more read follows.
    store.getState().receiveOutput({ opId: 'op1', stepId: 's1', phase: 'action', text: 'x', omittedChars: 0 });
    runFrame();
    await vi.waitFor(() => expect(client.get).toHaveBeenCalledTimes(3));
    await vi.waitFor(() => expect(store.getState().details.op1?.state?.steps[0]?.status).toBe('failed'));
    expect(store.getState().details.op1?.state?.status).toBe('failed');
  });

  it('tells once when a running operation finishes or stops on a failure, naming the failed step', async () => {
    const { store, runFrame, notices } = setup({ op1: opState('op1', [stepState('s1', { title: 'Wait for rc2 health' })]) });
    await store.getState().load('op1');
    store.getState().receiveChanged(summary('op1', { status: 'failed', updatedAt: at(2), currentStepIds: ['s1'] }));
    store.getState().receiveChanged(summary('op1', { status: 'failed', updatedAt: at(3), currentStepIds: ['s1'] }));
    store.getState().receiveChanged(summary('op2', { status: 'running', updatedAt: at(4) }));
    store.getState().receiveChanged(summary('op2', { status: 'succeeded', updatedAt: at(5) }));
    store.getState().receiveChanged(summary('op3', { status: 'running', updatedAt: at(4) }));
    store.getState().receiveChanged(summary('op3', { status: 'paused', updatedAt: at(5) }));
    runFrame();
    expect(notices.map((n) => [n.opId, n.ending, n.stepTitle])).toEqual([
      ['op1', 'failed', 'Wait for rc2 health'],
      ['op2', 'succeeded', undefined],
    ]);
    expect(store.getState().notices).toHaveLength(2);
    store.getState().dismissNotice(notices[0]!.id);
    expect(store.getState().notices.map((n) => n.opId)).toEqual(['op2']);
  });

  it('sends commands with their inputs and keeps a refusal to show', async () => {
    const { store, client } = setup({ op1: opState('op1', [stepState('s1')], { status: 'paused' }) });
    await store.getState().load('op1');
    expect(await store.getState().command('op1', { command: 'resume', decisions: [{ stepId: 's1', choice: 'mark-done' }] })).toBe(true);
    expect(client.resume).toHaveBeenCalledWith({ opId: 'op1', decisions: [{ stepId: 's1', choice: 'mark-done' }] });
    expect(await store.getState().command('op1', { command: 'skip', stepId: 's1', reason: 'checked by hand' })).toBe(true);
    expect(client.skip).toHaveBeenCalledWith({ opId: 'op1', stepId: 's1', reason: 'checked by hand' });
    expect(await store.getState().command('op1', { command: 'close', reason: 'done by hand' })).toBe(false);
    expect(store.getState().details.op1).toMatchObject({ busy: undefined, commandError: 'The operation is running; pause or abort it first.' });
  });
});
