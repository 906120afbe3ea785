import type { OpState, OpSummary, StepState } from '../../../../shared/ops/state';

/** Builders of operation states for the tests, shaped like what `ops.get` answers. */

export function stepState(id: string, overrides: Partial<StepState> = {}): StepState {
  return {
    id,
    batchId: 'b1',
    index: 0,
    host: 'rc1',
    title: `Step ${id}`,
    description: '',
    status: 'pending',
    attempts: 0,
    inDoubt: false,
    alreadyDone: false,
    undo: 'none',
    output: '',
    omittedChars: 0,
    ...overrides,
  };
}

export function summary(id: string, overrides: Partial<OpSummary> = {}): OpSummary {
  return {
    id,
    kind: 'restart',
    cluster: 'rc',
    title: 'Staged restart of rc',
    actor: 'admin',
    host: 'laptop',
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    status: 'running',
    mode: 'forward',
    progress: { done: 0, total: 2 },
    currentStepIds: [],
    pendingUndoCount: 0,
    needsDecision: false,
    pauseRequested: false,
    abortRequested: false,
    ...overrides,
  };
}

export function opState(id: string, steps: StepState[], overrides: Partial<OpState> = {}): OpState {
  return {
    ...summary(id, { progress: { done: 0, total: steps.length } }),
    plan: {
      kind: 'restart',
      cluster: 'rc',
      title: 'Staged restart of rc',
      batches: [{ id: 'b1', title: 'App nodes', steps: steps.map((step) => ({ id: step.id, host: step.host, title: step.title, description: '', action: { kind: 'ssh.exec', params: {} } })) }],
    },
    policy: { onGateFailure: 'stop' },
    steps,
    pendingUndo: [],
    next: { kind: 'none' },
    ...overrides,
  };
}
