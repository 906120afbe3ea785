import { describe, expect, it } from 'vitest';
import { allowedCommands, endingOf, formatDuration, isOpen, nodeProgress, skipTarget, stepsNeedingDecision, type OpCommand } from './op-view';
import { opState, stepState, summary } from './testing';

const enabled = (commands: Record<OpCommand, boolean>) => (Object.keys(commands) as OpCommand[]).filter((command) => commands[command]).sort();

describe('what an operation allows', () => {
  it('offers pause and abort while it runs, nothing that needs it stopped', () => {
    expect(enabled(allowedCommands(opState('op', [stepState('s1', { status: 'running' })])))).toEqual(['abort', 'pause']);
  });

  it('offers resume and undo (and abort, close, skip) when interrupted with a change in place', () => {
    const op = opState('op', [stepState('s1', { status: 'running', inDoubt: true, undo: 'pending' })], {
      status: 'interrupted',
      stoppedAt: { stepId: 's1', phase: 'action' },
      pendingUndo: [{ stepId: 's1', host: 'rc1', title: 'Drain rc1', certainty: 'maybe' }],
      next: { kind: 'continue', batchId: 'b1', steps: [{ stepId: 's1', does: 'ask' }] },
    });
    expect(enabled(allowedCommands(op))).toEqual(['abort', 'close', 'resume', 'skip', 'undo']);
    expect(stepsNeedingDecision(op).map((step) => step.id)).toEqual(['s1']);
    expect(skipTarget(op)?.id).toBe('s1');
  });

  it('offers retry, not resume, after a failed gate', () => {
    const op = opState('op', [stepState('s1', { status: 'failed', phase: 'gate' })], { status: 'failed', currentStepIds: ['s1'], stoppedAt: { stepId: 's1', phase: 'gate' } });
    expect(enabled(allowedCommands(op))).toEqual(['abort', 'close', 'retry', 'skip']);
  });

  it('offers only undo and close once aborted', () => {
    const op = opState('op', [stepState('s1', { status: 'succeeded', undo: 'pending' })], {
      status: 'aborted',
      pendingUndo: [{ stepId: 's1', title: 'Drain rc1', certainty: 'done' }],
    });
    expect(enabled(allowedCommands(op))).toEqual(['close', 'undo']);
  });

  it('offers nothing once finished, or while another process runs it', () => {
    expect(enabled(allowedCommands(opState('op', [stepState('s1', { status: 'succeeded' })], { status: 'succeeded', finished: { outcome: 'succeeded', at: '2025-01-01T10:00:00Z' } })))).toEqual([]);
    expect(enabled(allowedCommands(opState('op', [stepState('s1')], { status: 'running', elsewhere: { host: 'laptop', pid: 42 } })))).toEqual([]);
  });
});

describe('the operations list', () => {
  it('keeps stopped operations with the admin and closed ones with the finished', () => {
    expect(isOpen(summary('a', { status: 'failed', currentStepIds: ['s1'] }))).toBe(true);
    expect(isOpen(summary('b', { status: 'failed', currentStepIds: [] }))).toBe(false);
    expect(isOpen(summary('c', { status: 'interrupted' }))).toBe(true);
    expect(isOpen(summary('d', { status: 'reverted' }))).toBe(false);
  });

  it('reports an ending only when a running operation reaches it', () => {
    expect(endingOf(summary('a'), summary('a', { status: 'reverted' }))).toBe('reverted');
    expect(endingOf(summary('a'), summary('a', { status: 'paused' }))).toBeUndefined();
    expect(endingOf(undefined, summary('a', { status: 'succeeded' }))).toBeUndefined();
    expect(endingOf(summary('a', { status: 'failed' }), summary('a', { status: 'failed' }))).toBeUndefined();
  });
});

describe('node progress', () => {
  it('groups steps by host in plan order and marks the node doing something', () => {
    const nodes = nodeProgress({
      currentStepIds: ['b'],
      steps: [
        stepState('a', { host: 'rc1', status: 'succeeded' }),
        stepState('x', { host: undefined, status: 'succeeded' }),
        stepState('b', { host: 'rc2', status: 'running' }),
        stepState('c', { host: 'rc1', status: 'skipped' }),
        stepState('d', { host: 'rc2' }),
      ],
    });
    expect(nodes.map((node) => [node.host, node.done, node.total, node.current?.id])).toEqual([
      ['rc1', 2, 2, undefined],
      ['rc2', 0, 2, 'b'],
    ]);
  });
});

describe('durations', () => {
  it('reads naturally from milliseconds to hours', () => {
    expect([120, 5_000, 184_000, 3_600_000, 3_720_000].map(formatDuration)).toEqual(['120 ms', '5 s', '3 min 4 s', '1 h', '1 h 2 min']);
  });
});
