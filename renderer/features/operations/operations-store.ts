import { create } from 'zustand';
import type { AbortResult, OpOutputEvent, OpStepEvent } from '../../../shared/contract/ops';
import type { Decision } from '../../../shared/ops/records';
import type { OpState, OpSummary } from '../../../shared/ops/state';
import { errorMessage } from '../../ui/error-message';
import { nextFrame } from '../inspect/inspect-store';
import { endingOf, type Ending, type OpCommand } from './model/op-view';
import { appendOutput, seedOutput, type StepOutput } from './model/output';

/** The part of the contract the store needs (the real client, or a fake in tests). */
export interface OperationsClient {
  list(input: { cluster?: string; limit?: number }): Promise<OpSummary[]>;
  get(input: { opId: string }): Promise<OpState>;
  pause(input: { opId: string }): Promise<OpSummary>;
  resume(input: { opId: string; decisions?: Decision[] }): Promise<OpSummary>;
  abort(input: { opId: string }): Promise<AbortResult>;
  undo(input: { opId: string }): Promise<OpSummary>;
  retry(input: { opId: string }): Promise<OpSummary>;
  skip(input: { opId: string; stepId: string; reason: string }): Promise<OpSummary>;
  close(input: { opId: string; reason: string }): Promise<OpSummary>;
}

/** An operation that reached an ending while this window watched it. */
export interface OpNotice {
  id: number;
  opId: string;
  cluster: string;
  title: string;
  ending: Ending;
  /** The step it stopped at, when it stopped on a failure. */
  stepTitle: string | undefined;
}

export interface OpDetail {
  /** Undefined until `ops.get` answered. */
  state: OpState | undefined;
  loadError: string | undefined;
  /** Live output per step, seeded once from the journal and then appended from `opOutput`. */
  output: Readonly<Record<string, StepOutput>>;
  /** Steps in the order their output first appeared. */
  outputOrder: readonly string[];
  seeded: boolean;
  /** The command being sent, to disable the buttons meanwhile. */
  busy: OpCommand | undefined;
  commandError: string | undefined;
}

export type CommandInput =
  | { command: 'pause' | 'abort' | 'retry' | 'undo' }
  | { command: 'resume'; decisions?: Decision[] }
  | { command: 'skip'; stepId: string; reason: string }
  | { command: 'close'; reason: string };

export interface OperationsState {
  ops: Readonly<Record<string, OpSummary>>;
  listLoaded: boolean;
  listError: string | undefined;
  details: Readonly<Record<string, OpDetail>>;
  notices: readonly OpNotice[];
  loadList(): Promise<void>;
  /** Reads one operation's whole state (again when events arrived meanwhile, so the view converges). */
  load(opId: string): Promise<void>;
  /** Sends a command; answers whether the main process accepted it (its refusal is kept as `commandError`). */
  command(opId: string, input: CommandInput): Promise<boolean>;
  receiveChanged(summary: OpSummary): void;
  receiveStep(event: OpStepEvent): void;
  receiveOutput(event: OpOutputEvent): void;
  dismissNotice(id: number): void;
}

type Queued = { kind: 'changed'; summary: OpSummary } | { kind: 'step'; event: OpStepEvent } | { kind: 'output'; event: OpOutputEvent };

const emptyDetail: OpDetail = {
  state: undefined,
  loadError: undefined,
  output: {},
  outputOrder: [],
  seeded: false,
  busy: undefined,
  commandError: undefined,
};

/** The newer of two summaries of one operation (ISO times compare as text). */
function newer(current: OpSummary | undefined, incoming: OpSummary): OpSummary {
  return current && current.updatedAt > incoming.updatedAt ? current : incoming;
}

/** Summary fields that only a fresh `ops.get` can bring into the state (next step, pending undos, stop point…). */
function needsFullState(before: OpSummary, after: OpSummary): boolean {
  return (
    before.status !== after.status ||
    before.mode !== after.mode ||
    before.pendingUndoCount !== after.pendingUndoCount ||
    before.needsDecision !== after.needsDecision ||
    before.currentStepIds.join('\n') !== after.currentStepIds.join('\n')
  );
}

/**
 * The operations store: fed by `ops.list` / `ops.get` answers and by the `opChanged`,
 * `opStepChanged` and `opOutput` events, which are applied together once per frame.
 * `onNotice` hears of every operation that finished or stopped on a failure.
 */
export function createOperationsStore(
  client: OperationsClient,
  options: { schedule?: (flush: () => void) => void; onNotice?: (notice: OpNotice) => void } = {},
) {
  const schedule = options.schedule ?? nextFrame;
  let queue: Queued[] = [];
  let nextNoticeId = 1;
  const loading = new Map<string, Promise<void>>();
  /** Operations that had events while their `ops.get` was in flight: read again once it answers. */
  const stale = new Set<string>();

  return create<OperationsState>((set, get) => {
    const patchDetail = (opId: string, change: (detail: OpDetail) => Partial<OpDetail>) =>
      set((state) => {
        const detail = state.details[opId] ?? emptyDetail;
        return { details: { ...state.details, [opId]: { ...detail, ...change(detail) } } };
      });

    const adoptSummary = (summary: OpSummary) =>
      set((state) => {
        const merged = newer(state.ops[summary.id], summary);
        const detail = state.details[summary.id];
        const ops = { ...state.ops, [summary.id]: merged };
        if (!detail?.state || merged !== summary) return { ops };
        return { ops, details: { ...state.details, [summary.id]: { ...detail, state: { ...detail.state, ...summary } } } };
      });

    const flush = () => {
      const batch = queue;
      queue = [];
      const refetch = new Set<string>();
      const notices: OpNotice[] = [];
      set((state) => {
        let ops = state.ops;
        let details = state.details;
        const editDetail = (opId: string, change: (detail: OpDetail) => OpDetail) => {
          const detail = details[opId];
          if (!detail) return;
          if (loading.has(opId)) stale.add(opId);
          details = { ...details, [opId]: change(detail) };
        };
        for (const item of batch) {
          if (item.kind === 'changed') {
            const { summary } = item;
            const previous = ops[summary.id];
            if (previous && previous.updatedAt > summary.updatedAt) continue;
            ops = { ...ops, [summary.id]: summary };
            const ending = endingOf(previous, summary);
            editDetail(summary.id, (detail) => {
              if (!detail.state) return detail;
              if (needsFullState(detail.state, summary)) refetch.add(summary.id);
              return { ...detail, state: { ...detail.state, ...summary } };
            });
            if (ending) {
              const stopStep = details[summary.id]?.state?.steps.find((step) => step.id === summary.currentStepIds[0]);
              notices.push({
                id: nextNoticeId++,
                opId: summary.id,
                cluster: summary.cluster,
                title: summary.title,
                ending,
                stepTitle: ending === 'failed' ? (stopStep?.title ?? summary.currentStepIds[0]) : undefined,
              });
            }
          } else if (item.kind === 'step') {
            const { opId, step, progress } = item.event;
            const summary = ops[opId];
            if (summary) ops = { ...ops, [opId]: { ...summary, progress } };
            editDetail(opId, (detail) => {
              if (!detail.state) return detail;
              const steps = detail.state.steps.map((known) => (known.id === step.id ? { ...step, output: known.output, omittedChars: known.omittedChars } : known));
              return { ...detail, state: { ...detail.state, steps, progress } };
            });
          } else {
            const { opId, stepId } = item.event;
            editDetail(opId, (detail) => ({
              ...detail,
              output: { ...detail.output, [stepId]: appendOutput(detail.output[stepId], item.event) },
              outputOrder: detail.outputOrder.includes(stepId) ? detail.outputOrder : [...detail.outputOrder, stepId],
            }));
          }
        }
        return { ops, details, notices: notices.length > 0 ? [...state.notices, ...notices] : state.notices };
      });
      for (const opId of refetch) void get().load(opId);
      for (const notice of notices) options.onNotice?.(notice);
    };

    const enqueue = (item: Queued) => {
      if (queue.length === 0) schedule(flush);
      queue.push(item);
    };

    const adoptState = (opState: OpState) =>
      set((state) => {
        const detail = state.details[opState.id] ?? emptyDetail;
        let { output, outputOrder } = detail;
        if (!detail.seeded) {
          // Plan order first; steps whose live output arrived before the journal was read keep their place.
          const seeded: Record<string, StepOutput> = { ...output };
          const order: string[] = [];
          for (const step of opState.steps) {
            if (step.output === '' && step.omittedChars === 0) continue;
            seeded[step.id] = seedOutput(output[step.id], step);
            order.push(step.id);
          }
          output = seeded;
          outputOrder = [...order, ...outputOrder.filter((id) => !order.includes(id))];
        }
        return {
          // The state is a summary too; a newer summary from an event wins.
          ops: { ...state.ops, [opState.id]: newer(state.ops[opState.id], opState) },
          details: { ...state.details, [opState.id]: { ...detail, state: opState, loadError: undefined, output, outputOrder, seeded: true } },
        };
      });

    return {
      ops: {},
      listLoaded: false,
      listError: undefined,
      details: {},
      notices: [],

      async loadList() {
        try {
          const list = await client.list({});
          set((state) => {
            const ops = { ...state.ops };
            for (const summary of list) ops[summary.id] = newer(ops[summary.id], summary);
            return { ops, listLoaded: true, listError: undefined };
          });
        } catch (error) {
          set({ listLoaded: true, listError: errorMessage(error) });
        }
      },

      load(opId) {
        const running = loading.get(opId);
        if (running) {
          stale.add(opId);
          return running;
        }
        if (!get().details[opId]) patchDetail(opId, () => ({}));
        stale.delete(opId);
        const request = client
          .get({ opId })
          .then(adoptState, (error: unknown) => patchDetail(opId, () => ({ loadError: errorMessage(error) })))
          .finally(() => {
            loading.delete(opId);
            if (stale.has(opId)) void get().load(opId);
          });
        loading.set(opId, request);
        return request;
      },

      async command(opId, input) {
        patchDetail(opId, () => ({ busy: input.command, commandError: undefined }));
        try {
          const summary = await send(client, opId, input);
          adoptSummary(summary);
          patchDetail(opId, () => ({ busy: undefined }));
          await get().load(opId);
          return true;
        } catch (error) {
          patchDetail(opId, () => ({ busy: undefined, commandError: errorMessage(error) }));
          return false;
        }
      },

      receiveChanged: (summary) => enqueue({ kind: 'changed', summary }),
      receiveStep: (event) => enqueue({ kind: 'step', event }),
      receiveOutput: (event) => enqueue({ kind: 'output', event }),
      dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) })),
    };
  });
}

async function send(client: OperationsClient, opId: string, input: CommandInput): Promise<OpSummary> {
  switch (input.command) {
    case 'pause':
      return client.pause({ opId });
    case 'resume':
      return client.resume({ opId, ...(input.decisions && input.decisions.length > 0 ? { decisions: input.decisions } : {}) });
    case 'abort':
      return (await client.abort({ opId })).op;
    case 'retry':
      return client.retry({ opId });
    case 'undo':
      return client.undo({ opId });
    case 'skip':
      return client.skip({ opId, stepId: input.stepId, reason: input.reason });
    case 'close':
      return client.close({ opId, reason: input.reason });
  }
}
