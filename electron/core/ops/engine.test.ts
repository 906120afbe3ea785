import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import type { Gate, Plan, Step } from '../../../shared/ops/plan';
import type { JournalRecord } from '../../../shared/ops/records';
import type { OpSummary } from '../../../shared/ops/state';
import type { OpOutputEvent, OpStepEvent } from '../../../shared/contract/ops';
import { createLogger } from '../log/logger';
import { LabMongoServer } from '../../lab/mongo/server';
import { ManualClock } from './clock';
import { OperationEngine, operationsDir, type OperationEngineOptions } from './engine';
import { OperationJournal } from './journal';
import { MongoClusterLock } from './mongo-lock';

interface StepOptions {
  host?: string;
  undo?: boolean;
  guard?: boolean;
  idempotent?: boolean;
  gate?: Partial<Omit<Gate, 'kind' | 'params'>>;
  restores?: string[];
}

function step(id: string, o: StepOptions = {}): Step {
  return {
    id,
    ...(o.host ? { host: o.host } : {}),
    title: `Step ${id}`,
    description: `does ${id}`,
    action: { kind: 'fake.run', params: {} },
    ...(o.undo ? { undo: { kind: 'fake.undo', params: {} }, undoTitle: `Undo ${id}` } : {}),
    ...(o.guard ? { guard: { kind: 'fake.guard', params: {} } } : {}),
    ...(o.idempotent ? { idempotent: true } : {}),
    ...(o.gate ? { gate: { kind: 'fake.gate', params: {}, timeoutMs: 30_000, intervalMs: 1_000, ...o.gate } } : {}),
    ...(o.restores ? { restores: o.restores } : {}),
  };
}

function buildPlan(batches: Step[][], extra: { cluster?: string; maxParallel?: number[] } = {}): Plan {
  return {
    kind: 'test',
    cluster: extra.cluster ?? 'rc',
    title: 'Test plan',
    batches: batches.map((steps, i) => ({
      id: `b${i + 1}`,
      title: `Batch ${i + 1}`,
      steps,
      ...(extra.maxParallel?.[i] ? { maxParallel: extra.maxParallel[i] } : {}),
    })),
  };
}

interface Deferred {
  promise: Promise<void>;
  release: () => void;
}
function deferred(): Deferred {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** What the fake executors and checks do, per step id; shared by every engine of a test (one "cluster"). */
class FakeCluster {
  failures = new Map<string, number>();
  hang = new Set<string>();
  blocks = new Map<string, Deferred>();
  gateNever = new Set<string>();
  /** Gates whose check says on its second look that it cannot pass any more (a crash loop). */
  gateHopeless = new Set<string>();
  gatePassAfter = new Map<string, number>();
  guardDone = new Set<string>();
  undoFails = new Set<string>();
  output = new Map<string, string[]>();
  /** Called inside the executor, before it does anything: lets a test look at the journal "during" a step. */
  onRun?: (stepId: string) => void;
  private readonly runs = new Map<string, Deferred>();

  block(stepId: string): Deferred {
    const d = deferred();
    this.blocks.set(stepId, d);
    return d;
  }

  /** Resolves once an executor has been entered for this step (the step-started record comes just before). */
  ran(stepId: string): Promise<void> {
    return this.run(stepId).promise;
  }

  entered(stepId: string): void {
    this.onRun?.(stepId);
    this.run(stepId).release();
  }

  private run(stepId: string): Deferred {
    let d = this.runs.get(stepId);
    if (!d) this.runs.set(stepId, (d = deferred()));
    return d;
  }
}

/** Waits for `promise`, or rejects like a killed command when the engine shuts down. */
function orKilled(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new AppError('CANCELLED', 'process ended'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject);
  });
}

const dirs: string[] = [];
const engines: OperationEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ops-'));
  dirs.push(dir);
  return dir;
}

interface Payloads {
  opChanged: OpSummary;
  opStepChanged: OpStepEvent;
  opOutput: OpOutputEvent;
}
type Emitted = { event: keyof Payloads; payload: unknown };

function payloads<E extends keyof Payloads>(h: Harness, event: E): Array<Payloads[E]> {
  return h.events.filter((e) => e.event === event).map((e) => e.payload as Payloads[E]);
}

interface Harness {
  engine: OperationEngine;
  dir: string;
  clock: ManualClock;
  /** What this engine's executors were asked to do, in order ("s1", "undo:s1"). */
  calls: string[];
  gateChecks: string[];
  records: Array<{ opId: string; record: JournalRecord }>;
  events: Emitted[];
  waitFor(predicate: (record: JournalRecord) => boolean): Promise<JournalRecord>;
  types(opId: string): string[];
}

function harness(
  cluster: FakeCluster,
  options: {
    dir?: string;
    actor?: string;
    clock?: ManualClock;
    /** Runs right after each record is in the journal, before anything else happens. */
    afterRecord?: (opId: string, record: JournalRecord) => void;
  } & Pick<Partial<OperationEngineOptions>, 'extraLocks' | 'hostname' | 'output' | 'pid' | 'isPidAlive'> = {},
): Harness {
  const { afterRecord, ...engineOptions } = options;
  const dir = options.dir ?? operationsDir(dataDir());
  const clock = options.clock ?? new ManualClock(Date.parse('2026-03-01T10:00:00Z'), { autoAdvance: true });
  const calls: string[] = [];
  const gateChecks: string[] = [];
  const records: Harness['records'] = [];
  const events: Harness['events'] = [];
  let waiters: Array<{ predicate: (r: JournalRecord) => boolean; resolve: (r: JournalRecord) => void }> = [];

  const engine = new OperationEngine({
    ...engineOptions,
    dir,
    clock,
    log: createLogger({ sink: () => undefined }),
    actor: options.actor ?? 'alice',
    hostname: options.hostname ?? 'laptop-1',
    executors: {
      'fake.run': async (_params, ctx) => {
        calls.push(ctx.stepId);
        const hang = cluster.hang.has(ctx.stepId);
        cluster.entered(ctx.stepId);
        for (const chunk of cluster.output.get(ctx.stepId) ?? []) ctx.output(chunk);
        const block = cluster.blocks.get(ctx.stepId);
        if (block) await orKilled(block.promise, ctx.signal);
        if (hang) await orKilled(new Promise<void>(() => undefined), ctx.signal);
        const failures = cluster.failures.get(ctx.stepId) ?? 0;
        if (failures > 0) {
          cluster.failures.set(ctx.stepId, failures - 1);
          throw new AppError('SSH_CHANNEL', `${ctx.stepId}: command exited with status 1`);
        }
      },
      'fake.undo': async (_params, ctx) => {
        calls.push(`undo:${ctx.stepId}`);
        if (cluster.undoFails.has(ctx.stepId)) throw new AppError('SSH_CONNECT', `${ctx.host ?? 'host'} refused the connection`);
      },
    },
    checks: {
      'fake.gate': async (_params, ctx) => {
        gateChecks.push(ctx.stepId);
        if (cluster.gateNever.has(ctx.stepId)) return { ok: false, detail: 'HTTP 503' };
        if (cluster.gateHopeless.has(ctx.stepId)) {
          const seen = cluster.gatePassAfter.get(ctx.stepId) ?? 0;
          cluster.gatePassAfter.set(ctx.stepId, seen + 1);
          return seen === 0 ? { ok: false, detail: 'starting' } : { ok: false, final: true, detail: 'restarted 3 times: crash-looping' };
        }
        const left = cluster.gatePassAfter.get(ctx.stepId) ?? 0;
        if (left > 0) {
          cluster.gatePassAfter.set(ctx.stepId, left - 1);
          return { ok: false, detail: 'not registered yet' };
        }
        return { ok: true, detail: 'HTTP 200' };
      },
      'fake.guard': async (_params, ctx) => ({ ok: cluster.guardDone.has(ctx.stepId), detail: 'already drained' }),
    },
    emit: (event, payload) => events.push({ event, payload }),
    onRecord: (opId, record) => {
      afterRecord?.(opId, record);
      records.push({ opId, record });
      waiters = waiters.filter((w) => {
        if (!w.predicate(record)) return true;
        w.resolve(record);
        return false;
      });
    },
  });
  engines.push(engine);
  return {
    engine,
    dir,
    clock,
    calls,
    gateChecks,
    records,
    events,
    waitFor: (predicate) => {
      const seen = records.find((r) => predicate(r.record));
      if (seen) return Promise.resolve(seen.record);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    types: (opId) => records.filter((r) => r.opId === opId).map((r) => r.record.type + ('stepId' in r.record ? `:${r.record.stepId}` : '')),
  };
}

const is = (type: JournalRecord['type'], stepId?: string) => (record: JournalRecord) =>
  record.type === type && (stepId === undefined || ('stepId' in record && record.stepId === stepId));

function readJournal(dir: string, opId: string): JournalRecord[] {
  return readFileSync(join(dir, `${opId}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalRecord];
      } catch {
        return [];
      }
    });
}

const threeSteps = () => buildPlan([[step('s1', { undo: true }), step('s2', { undo: true }), step('s3', { undo: true })]]);

describe('OperationEngine: running a plan', () => {
  it('runs steps in order, journaling and fsyncing each before and after it runs', async () => {
    const cluster = new FakeCluster();
    // After each record the engine has awaited, the file already holds it.
    const onDisk: boolean[] = [];
    const h = harness(cluster, {
      afterRecord: (opId, record) => {
        onDisk.push(readFileSync(join(h.dir, `${opId}.jsonl`), 'utf8').includes(`${JSON.stringify(record)}\n`));
      },
    });
    // While an executor runs, its step-started record must already be in the file.
    const seenDuring: Array<{ step: string; last: string | undefined }> = [];
    cluster.onRun = (stepId) => {
      const opId = h.records[0]!.opId;
      const last = readJournal(h.dir, opId).at(-1);
      seenDuring.push({ step: stepId, last: last && 'stepId' in last ? `${last.type}:${last.stepId}` : last?.type });
    };

    const opId = await h.engine.start(threeSteps());
    const state = await h.engine.settled(opId);

    expect(state.status).toBe('succeeded');
    expect(h.calls).toEqual(['s1', 's2', 's3']);
    expect(seenDuring).toEqual([
      { step: 's1', last: 'step-started:s1' },
      { step: 's2', last: 'step-started:s2' },
      { step: 's3', last: 'step-started:s3' },
    ]);
    expect(onDisk).toEqual(Array(8).fill(true));
    expect(readJournal(h.dir, opId).map((r) => r.type + ('stepId' in r ? `:${r.stepId}` : ''))).toEqual([
      'created',
      'step-started:s1',
      'step-succeeded:s1',
      'step-started:s2',
      'step-succeeded:s2',
      'step-started:s3',
      'step-succeeded:s3',
      'finished',
    ]);
    expect(readJournal(h.dir, opId)[0]).toMatchObject({ type: 'created', actor: 'alice', host: 'laptop-1', plan: { cluster: 'rc' } });
    expect(state.pendingUndo.map((p) => p.stepId)).toEqual(['s3', 's2', 's1']);
  });

  it('releases the cluster lock when the operation finishes', async () => {
    const h = harness(new FakeCluster());
    const opId = await h.engine.start(threeSteps());
    expect(existsSync(join(h.dir, 'locks', 'rc.lock'))).toBe(true);
    await h.engine.settled(opId);
    expect(existsSync(join(h.dir, 'locks', 'rc.lock'))).toBe(false);
    const second = await h.engine.start(threeSteps());
    expect((await h.engine.settled(second)).status).toBe('succeeded');
  });

  it('does not run the action of a step whose guard says it is already done', async () => {
    const cluster = new FakeCluster();
    cluster.guardDone.add('drain');
    const h = harness(cluster);
    const opId = await h.engine.start(buildPlan([[step('drain', { guard: true, undo: true }), step('stop')]]));
    const state = await h.engine.settled(opId);
    expect(h.calls).toEqual(['stop']);
    expect(h.types(opId)).toContain('step-already-done:drain');
    expect(state.steps[0]).toMatchObject({ status: 'succeeded', alreadyDone: true, undo: 'not-needed' });
  });

  it('runs a batch’s steps in parallel up to its maxParallel, and batches one after another', async () => {
    const cluster = new FakeCluster();
    const a = cluster.block('a');
    const b = cluster.block('b');
    const h = harness(cluster);
    const opId = await h.engine.start(buildPlan([[step('a'), step('b'), step('c')], [step('d')]], { maxParallel: [2, 1] }));
    await cluster.ran('a');
    await cluster.ran('b');
    expect(h.calls).toEqual(['a', 'b']);
    a.release();
    await cluster.ran('c');
    expect(h.calls).toEqual(['a', 'b', 'c']);
    b.release();
    await h.engine.settled(opId);
    expect(h.calls).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a plan whose step kinds this console cannot run, before anything starts', async () => {
    const h = harness(new FakeCluster());
    const plan = buildPlan([[step('s1')]]);
    plan.batches[0]!.steps[0]!.action.kind = 'ssh.exec';
    await expect(h.engine.start(plan)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('ssh.exec') });
    expect(await h.engine.list()).toEqual([]);
  });
});

describe('OperationEngine: pause, abort, undo', () => {
  it('pauses after the current step, then resumes without repeating it', async () => {
    const cluster = new FakeCluster();
    const s2 = cluster.block('s2');
    const h = harness(cluster);
    const opId = await h.engine.start(threeSteps());
    await h.waitFor(is('step-started', 's2'));
    const pausing = await h.engine.pause(opId);
    expect(pausing).toMatchObject({ status: 'running', pauseRequested: true });
    s2.release();
    const paused = await h.engine.settled(opId);
    expect(paused).toMatchObject({ status: 'paused', stoppedAt: { stepId: 's3', phase: 'before' } });
    expect(h.calls).toEqual(['s1', 's2']);
    expect(existsSync(join(h.dir, 'locks', 'rc.lock'))).toBe(true); // a paused operation keeps the cluster

    await h.engine.resume(opId);
    expect((await h.engine.settled(opId)).status).toBe('succeeded');
    expect(h.calls).toEqual(['s1', 's2', 's3']);
    expect(h.types(opId)).toEqual(expect.arrayContaining(['pause-requested', 'paused', 'resumed']));
  });

  it('abort stops before the next step, reports the pending undos, and undo runs them newest first', async () => {
    const cluster = new FakeCluster();
    const s2 = cluster.block('s2');
    const h = harness(cluster);
    const opId = await h.engine.start(threeSteps());
    await h.waitFor(is('step-started', 's2'));
    const aborting = h.engine.abort(opId);
    await h.waitFor(is('abort-requested'));
    s2.release(); // the running command is let finish
    const result = await aborting;
    expect(result.op.status).toBe('aborted');
    expect(result.pendingUndo.map((p) => [p.stepId, p.certainty])).toEqual([
      ['s2', 'done'],
      ['s1', 'done'],
    ]);
    expect(h.calls).toEqual(['s1', 's2']);
    expect(existsSync(join(h.dir, 'locks', 'rc.lock'))).toBe(true); // not finished: changes are still in place

    await h.engine.undo(opId);
    const state = await h.engine.settled(opId);
    expect(h.calls).toEqual(['s1', 's2', 'undo:s2', 'undo:s1']);
    expect(state.status).toBe('reverted');
    expect(state.steps.map((s) => s.status)).toEqual(['undone', 'undone', 'pending']);
    expect(existsSync(join(h.dir, 'locks', 'rc.lock'))).toBe(false);
  });

  it('abort with nothing to undo finishes the operation as aborted', async () => {
    const cluster = new FakeCluster();
    const s1 = cluster.block('s1');
    const h = harness(cluster);
    const opId = await h.engine.start(buildPlan([[step('s1'), step('s2')]]));
    await h.waitFor(is('step-started', 's1'));
    const aborting = h.engine.abort(opId);
    s1.release();
    const result = await aborting;
    expect(result).toMatchObject({ op: { status: 'aborted' }, pendingUndo: [] });
    expect((await h.engine.get(opId)).finished).toMatchObject({ outcome: 'aborted', by: 'alice' });
  });

  it('abort during a gate stops the polling at once; the gate is left pending', async () => {
    const cluster = new FakeCluster();
    cluster.gateNever.add('start');
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z')); // no auto-advance: time stands still
    const h = harness(cluster, { clock });
    const opId = await h.engine.start(buildPlan([[step('drain', { undo: true }), step('start', { gate: { timeoutMs: 600_000 } }), step('ready')]]));
    await h.waitFor(is('gate-started', 'start'));
    const result = await h.engine.abort(opId);
    expect(result.op.status).toBe('aborted');
    expect(result.pendingUndo.map((p) => p.stepId)).toEqual(['drain']);
    const state = await h.engine.get(opId);
    expect(state.steps[1]).toMatchObject({ status: 'running', phase: 'gate', gate: { status: 'pending' } });
    expect(state.stoppedAt).toEqual({ stepId: 'start', phase: 'gate' });
    expect(h.calls).toEqual(['drain', 'start']);
    expect(clock.pending).toBe(0);
  });

  it('an undo that fails stops there; undo again finishes the rest', async () => {
    const cluster = new FakeCluster();
    cluster.undoFails.add('s2');
    cluster.failures.set('s3', 1);
    const h = harness(cluster);
    const opId = await h.engine.start(threeSteps());
    expect((await h.engine.settled(opId)).status).toBe('failed');
    await h.engine.undo(opId);
    let state = await h.engine.settled(opId);
    expect(h.calls).toEqual(['s1', 's2', 's3', 'undo:s3', 'undo:s2']);
    expect(state).toMatchObject({ status: 'failed', mode: 'undo', stoppedAt: { stepId: 's2', phase: 'undo' } });
    expect(state.pendingUndo.map((p) => p.stepId)).toEqual(['s2', 's1']);
    await expect(h.engine.resume(opId)).rejects.toThrow(/run undo again/);

    cluster.undoFails.clear();
    await h.engine.undo(opId);
    state = await h.engine.settled(opId);
    expect(state.status).toBe('reverted');
    expect(h.calls.slice(5)).toEqual(['undo:s2', 'undo:s1']);
  });
});

describe('OperationEngine: gates, failures, retry, skip', () => {
  const restartPlan = () =>
    buildPlan(
      [
        [step('n1-drain', { host: 'n1', undo: true }), step('n1-restart', { host: 'n1', gate: { timeoutMs: 60_000, intervalMs: 1_000, backoff: { factor: 2, maxIntervalMs: 8_000 } } }), step('n1-ready', { host: 'n1', restores: ['n1-drain'] })],
        [step('n2-drain', { host: 'n2', undo: true }), step('n2-restart', { host: 'n2', gate: {} }), step('n2-ready', { host: 'n2', restores: ['n2-drain'] })],
      ],
    );

  it('polls a gate with backoff until it passes', async () => {
    const cluster = new FakeCluster();
    cluster.gatePassAfter.set('n1-restart', 3);
    const h = harness(cluster);
    const started = h.clock.now();
    const opId = await h.engine.start(restartPlan());
    const state = await h.engine.settled(opId);
    expect(state.status).toBe('succeeded');
    expect(state.steps[1]!.gate).toMatchObject({ status: 'passed', attempts: 4, detail: 'HTTP 200' });
    // Waits of 1 s, 2 s and 4 s on the virtual clock.
    expect(h.clock.now() - started).toBe(7_000);
    const polls = payloads(h, 'opStepChanged').filter((p) => p.step.id === 'n1-restart' && p.step.gate?.detail === 'not registered yet');
    expect(polls.map((p) => p.step.gate?.attempts)).toEqual([1, 2, 3]);
  });

  it('a gate that never passes stops at that node; the other node is untouched', async () => {
    const cluster = new FakeCluster();
    cluster.gateNever.add('n1-restart');
    const h = harness(cluster);
    const started = h.clock.now();
    const opId = await h.engine.start(restartPlan(), { onGateFailure: 'stop' });
    const state = await h.engine.settled(opId);
    expect(state.status).toBe('failed');
    expect(state.stoppedAt).toEqual({ stepId: 'n1-restart', phase: 'gate' });
    expect(state.steps[1]).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', message: 'Health gate did not pass: HTTP 503' } });
    expect(h.calls).toEqual(['n1-drain', 'n1-restart']);
    expect(state.steps.filter((s) => s.host === 'n2').map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);
    // Checks at t = 0, 1, 3, 7, 15, 23, 31, 39, 47, 55 s (backoff capped at 8 s), and a last one at the deadline.
    expect(h.gateChecks).toHaveLength(11);
    expect(h.clock.now() - started).toBe(60_000);
  });

  it('a check that says the gate cannot pass any more fails it at once, without waiting out its time', async () => {
    const cluster = new FakeCluster();
    cluster.gateHopeless.add('n1-restart');
    const h = harness(cluster);
    const started = h.clock.now();
    const opId = await h.engine.start(restartPlan(), { onGateFailure: 'stop' });
    const state = await h.engine.settled(opId);
    expect(state.steps[1]).toMatchObject({ status: 'failed', gate: { status: 'failed', attempts: 2 }, error: { message: 'Health gate did not pass: restarted 3 times: crash-looping' } });
    // One wait of 1 s between the two looks, not the gate's 60 s.
    expect(h.clock.now() - started).toBe(1_000);
  });

  it('with undo-and-stop, a failed gate undoes that node’s changes and stops', async () => {
    const cluster = new FakeCluster();
    cluster.gateNever.add('n1-restart');
    const h = harness(cluster);
    const opId = await h.engine.start(restartPlan(), { onGateFailure: 'undo-and-stop' });
    const state = await h.engine.settled(opId);
    expect(h.calls).toEqual(['n1-drain', 'n1-restart', 'undo:n1-drain']);
    expect(state.status).toBe('reverted');
    expect(state.steps.filter((s) => s.host === 'n2').every((s) => s.status === 'pending')).toBe(true);
    expect(h.types(opId)).toEqual(expect.arrayContaining(['gate-failed:n1-restart', 'undo-started', 'undo-step-succeeded:n1-drain']));
    expect(existsSync(join(h.dir, 'locks', 'rc.lock'))).toBe(false);
  });

  it('retry re-runs the failed step and goes on, without repeating what succeeded', async () => {
    const cluster = new FakeCluster();
    cluster.failures.set('s2', 1);
    const h = harness(cluster);
    const opId = await h.engine.start(threeSteps());
    const failed = await h.engine.settled(opId);
    expect(failed).toMatchObject({ status: 'failed', stoppedAt: { stepId: 's2', phase: 'action' } });
    expect(failed.steps[1]!.error).toEqual({ code: 'SSH_CHANNEL', message: 's2: command exited with status 1' });
    await expect(h.engine.resume(opId)).rejects.toThrow(/retry it or skip it/);
    await h.engine.retry(opId);
    const state = await h.engine.settled(opId);
    expect(state.status).toBe('succeeded');
    expect(h.calls).toEqual(['s1', 's2', 's2', 's3']);
    expect(state.steps[1]!.attempts).toBe(2);
  });

  it('retry after a failed gate checks the gate again without re-running the action', async () => {
    const cluster = new FakeCluster();
    cluster.gateNever.add('n1-restart');
    const h = harness(cluster);
    const opId = await h.engine.start(restartPlan(), { onGateFailure: 'stop' });
    await h.engine.settled(opId);
    cluster.gateNever.clear();
    await h.engine.retry(opId);
    expect((await h.engine.settled(opId)).status).toBe('succeeded');
    expect(h.calls.filter((c) => c === 'n1-restart')).toHaveLength(1);
  });

  it('skips a failed step with a reason, recorded with who skipped it', async () => {
    const cluster = new FakeCluster();
    cluster.failures.set('s2', 5);
    const h = harness(cluster);
    const opId = await h.engine.start(threeSteps());
    await h.engine.settled(opId);
    await expect(h.engine.skip(opId, 's1', 'because')).rejects.toThrow(/already run/);
    const skipped = await h.engine.skip(opId, 's2', 'node retired last week');
    expect(skipped.status).toBe('paused');
    await h.engine.resume(opId);
    const state = await h.engine.settled(opId);
    expect(state.status).toBe('succeeded');
    expect(h.calls).toEqual(['s1', 's2', 's3']);
    expect(state.steps[1]).toMatchObject({ status: 'skipped', skipped: { reason: 'node retired last week', by: 'alice' } });
    expect(readJournal(h.dir, opId).find((r) => r.type === 'step-skipped')).toMatchObject({ stepId: 's2', reason: 'node retired last week', by: 'alice' });
  });

  it('skips a step that has not begun while the operation runs, but not the running one', async () => {
    const cluster = new FakeCluster();
    const s1 = cluster.block('s1');
    const h = harness(cluster);
    const opId = await h.engine.start(threeSteps());
    await h.waitFor(is('step-started', 's1'));
    await expect(h.engine.skip(opId, 's1', 'too late')).rejects.toThrow(/is running/);
    await h.engine.skip(opId, 's2', 'not needed on this cluster');
    s1.release();
    expect((await h.engine.settled(opId)).status).toBe('succeeded');
    expect(h.calls).toEqual(['s1', 's3']);
  });
});

describe('OperationEngine: crash and recovery', () => {
  /** Engine 1 runs s1, s2 and hangs in s3, as if the laptop closed; engine 2 starts on the same data directory. */
  async function crashInS3(s3: Parameters<typeof step>[1]) {
    const cluster = new FakeCluster();
    cluster.hang.add('s3');
    const dir = operationsDir(dataDir());
    const first = harness(cluster, { dir });
    const opId = await first.engine.start(buildPlan([[step('s1', { undo: true }), step('s2', { undo: true }), step('s3', s3), step('s4')]]));
    await cluster.ran('s3');
    cluster.hang.clear();
    const second = harness(cluster, { dir });
    return { cluster, first, second, opId, dir };
  }

  it('shows the operation interrupted at the exact step; resume completes it without repeating finished steps', async () => {
    const { first, second, opId } = await crashInS3({ guard: true, undo: true });
    const [recovered] = await second.engine.recover();
    expect(recovered).toMatchObject({ id: opId, status: 'interrupted', currentStepIds: ['s3'], pendingUndoCount: 3, needsDecision: false });
    const state = await second.engine.get(opId);
    expect(state.stoppedAt).toEqual({ stepId: 's3', phase: 'action' });
    expect(state.steps[2]).toMatchObject({ status: 'running', inDoubt: true });
    expect(state.next).toEqual({ kind: 'continue', batchId: 'b1', steps: [{ stepId: 's3', does: 'check-guard' }, { stepId: 's4', does: 'run' }] });

    await second.engine.resume(opId);
    expect((await second.engine.settled(opId)).status).toBe('succeeded');
    expect(first.calls).toEqual(['s1', 's2', 's3']);
    expect(second.calls).toEqual(['s3', 's4']); // the guard said "not done": s3 ran again, s1 and s2 did not
  });

  it('takes the guard’s word when it says the interrupted step took effect', async () => {
    const { cluster, second, opId } = await crashInS3({ guard: true, undo: true });
    cluster.guardDone.add('s3');
    await second.engine.recover();
    await second.engine.resume(opId);
    const state = await second.engine.settled(opId);
    expect(second.calls).toEqual(['s4']);
    expect(state.steps[2]).toMatchObject({ alreadyDone: true, undo: 'pending' });
  });

  it('asks the admin about an interrupted step with neither guard nor idempotence', async () => {
    const { second, opId } = await crashInS3({ undo: true });
    expect((await second.engine.recover())[0]?.needsDecision).toBe(true);
    await expect(second.engine.resume(opId)).rejects.toMatchObject({ code: 'CONFLICT', details: { stepIds: ['s3'] } });
    await second.engine.resume(opId, [{ stepId: 's3', choice: 'mark-done' }]);
    const state = await second.engine.settled(opId);
    expect(second.calls).toEqual(['s4']);
    expect(state.steps[2]).toMatchObject({ status: 'succeeded', markedDoneBy: 'alice' });
  });

  it('re-runs an interrupted idempotent step', async () => {
    const { second, opId } = await crashInS3({ idempotent: true });
    await second.engine.recover();
    await second.engine.resume(opId);
    await second.engine.settled(opId);
    expect(second.calls).toEqual(['s3', 's4']);
  });

  it('reads past a journal line torn by the crash and appends after it', async () => {
    const { second, opId, dir } = await crashInS3({ idempotent: true });
    appendFileSync(join(dir, `${opId}.jsonl`), '{"seq":9,"time":"2026-03-01T10:00:0');
    const [recovered] = await second.engine.recover();
    expect(recovered).toMatchObject({ status: 'interrupted', currentStepIds: ['s3'] });
    await second.engine.resume(opId);
    expect((await second.engine.settled(opId)).status).toBe('succeeded');
    const read = await new OperationJournal(dir).read(opId);
    expect(read.skippedLines).toBe(1);
    expect(read.records.at(-1)).toMatchObject({ type: 'finished', outcome: 'succeeded' });
  });

  it('shows an operation another live process on this machine runs as running there, and will not resume it', async () => {
    const cluster = new FakeCluster();
    cluster.hang.add('s2');
    const dir = operationsDir(dataDir());
    const cli = harness(cluster, { dir, pid: 1111, isPidAlive: () => true });
    const opId = await cli.engine.start(threeSteps());
    await cluster.ran('s2');
    const app = harness(cluster, { dir, pid: 2222, isPidAlive: (pid) => pid === 1111 });
    expect((await app.engine.list())[0]).toMatchObject({ id: opId, status: 'running', elsewhere: { host: 'laptop-1', pid: 1111 } });
    await expect(app.engine.abort(opId)).rejects.toThrow(/running in process 1111 on laptop-1/);
    await expect(app.engine.start(threeSteps())).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps the cluster locked while interrupted; closing it as it stands releases the lock', async () => {
    const { second, opId } = await crashInS3({ idempotent: true });
    await second.engine.recover();
    const refused = second.engine.start(buildPlan([[step('x')]]));
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(refused).rejects.toThrow(/locked by alice on laptop-1 since 2026-03-01 10:00:00 UTC: operation "Test plan" \(op-.*\), interrupted: resume, undo or close it first/);
    const closed = await second.engine.close(opId, 'finished by hand on the node');
    expect(closed.status).toBe('aborted');
    expect((await second.engine.get(opId)).finished).toMatchObject({ reason: 'finished by hand on the node', leftAsIs: ['s2', 's1'] });
    const next = await second.engine.start(buildPlan([[step('x')]]));
    expect((await second.engine.settled(next)).status).toBe('succeeded');
  });
});

describe('OperationEngine: locks', () => {
  it('refuses a second operation on the same cluster, naming who holds it and since when', async () => {
    const cluster = new FakeCluster();
    const block = cluster.block('s1');
    const dir = operationsDir(dataDir());
    // Two processes on one machine (the app and a CLI run, say) sharing a data directory.
    const alice = harness(cluster, { dir, actor: 'alice', pid: 1111, isPidAlive: () => true });
    const bob = harness(cluster, { dir, actor: 'bob', pid: 2222, isPidAlive: () => true });
    const first = await alice.engine.start(threeSteps());
    await alice.waitFor(is('step-started', 's1'));
    const refused = bob.engine.start(threeSteps());
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', details: { holder: { actor: 'alice', opId: first } } });
    await expect(refused).rejects.toThrow(
      `Cluster "rc" is locked by alice on laptop-1 since 2026-03-01 10:00:00 UTC: operation "Test plan" (${first}), running now. The lock is in the journal directory.`,
    );
    expect((await bob.engine.list()).map((op) => op.id)).toEqual([first]); // the refused one left no journal
    block.release();
    await alice.engine.settled(first);
    const second = await bob.engine.start(threeSteps());
    expect((await bob.engine.settled(second)).status).toBe('succeeded');
  });

  it('pauses when a renewal finds the lock taken by someone else', async () => {
    const cluster = new FakeCluster();
    const s1 = cluster.block('s1');
    let lost = false;
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const h = harness(cluster, {
      clock,
      extraLocks: () => [
        {
          where: 'a test lock',
          renewEveryMs: 1_000,
          acquire: async () => {},
          renew: async () => {
            if (lost) throw new AppError('CONFLICT', 'Cluster "rc" is locked by bob');
          },
          release: async () => {},
        },
      ],
    });
    const opId = await h.engine.start(threeSteps());
    await h.waitFor(is('step-started', 's1'));
    lost = true;
    clock.advance(1_000);
    const requested = await h.waitFor(is('pause-requested'));
    expect(requested).toMatchObject({ by: 'switchboard', reason: 'lock lost: Cluster "rc" is locked by bob' });
    s1.release();
    expect((await h.engine.settled(opId)).status).toBe('paused');
    expect(h.calls).toEqual(['s1']);
  });

  describe('in the cluster’s MongoDB, across two laptops', () => {
    let server: LabMongoServer;
    let client: MongoClient;
    beforeAll(async () => {
      server = new LabMongoServer();
      const { url } = await server.start();
      client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
      await client.connect();
    });
    afterAll(async () => {
      await client?.close();
      await server?.stop();
    });

    it('two engines with their own data directories cannot both run an operation on the cluster', async () => {
      const cluster = new FakeCluster();
      const block = cluster.block('s1');
      // Lock times follow the wall clock here, as the lab server's TTL monitor does.
      const mongoLock = () => [new MongoClusterLock(client.db('rocketchat'), 'rc', { label: 'rc-mongo' })];
      const clock = () => new ManualClock(Date.now(), { autoAdvance: true });
      const alice = harness(cluster, { actor: 'alice', clock: clock(), extraLocks: mongoLock });
      const bob = harness(cluster, { actor: 'bob', hostname: 'laptop-2', clock: clock(), extraLocks: mongoLock });
      const first = await alice.engine.start(threeSteps());
      await alice.waitFor(is('step-started', 's1'));

      const refused = bob.engine.start(threeSteps());
      await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', details: { holder: { actor: 'alice', host: 'laptop-1', opId: first } } });
      await expect(refused).rejects.toThrow(/locked by alice on laptop-1 since .* UTC: operation "Test plan" .* The lock is in the switchboard_locks collection of MongoDB rc-mongo\./);
      expect(await bob.engine.list()).toEqual([]);
      expect(existsSync(join(bob.dir, 'locks', 'rc.lock'))).toBe(false); // bob's own file lock was given back

      block.release();
      await alice.engine.settled(first);
      expect(await client.db('rocketchat').collection('switchboard_locks').countDocuments()).toBe(0);
      const second = await bob.engine.start(threeSteps());
      expect((await bob.engine.settled(second)).status).toBe('succeeded');
    });
  });
});

describe('OperationEngine: events and output', () => {
  it('batches live output for the renderer and bounds what the journal keeps', async () => {
    const cluster = new FakeCluster();
    const chunks = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(490)}\n`);
    cluster.output.set('s1', chunks);
    const h = harness(cluster, { output: { journalBudgetChars: 20_000, tailChars: 5_000, liveMaxChars: 200_000 } });
    const opId = await h.engine.start(buildPlan([[step('s1')]]));
    await h.engine.settled(opId);

    const live = payloads(h, 'opOutput');
    expect(live.length).toBeLessThan(5);
    expect(live.map((p) => p.text).join('')).toBe(chunks.join(''));

    const journaled = readJournal(h.dir, opId).filter((r) => r.type === 'step-output');
    const text = journaled.map((r) => r.text).join('');
    expect(text.length).toBe(25_000);
    expect(text.startsWith('line 000')).toBe(true);
    expect(text.endsWith(chunks.at(-1)!)).toBe(true);
    expect(journaled.at(-1)).toMatchObject({ omittedChars: 100_000 - 25_000 });
    // Output records come before the step's result.
    expect(readJournal(h.dir, opId).map((r) => r.type).lastIndexOf('step-output')).toBeLessThan(
      readJournal(h.dir, opId).map((r) => r.type).indexOf('step-succeeded'),
    );
  });

  it('tells the renderer about the operation and each step, with progress', async () => {
    const h = harness(new FakeCluster());
    const opId = await h.engine.start(threeSteps());
    await h.engine.settled(opId);
    const opEvents = payloads(h, 'opChanged');
    expect(opEvents[0]).toMatchObject({ id: opId, status: 'running' });
    expect(opEvents.at(-1)).toMatchObject({ id: opId, status: 'succeeded', progress: { done: 3, total: 3 } });
    const stepEvents = payloads(h, 'opStepChanged');
    expect(stepEvents.map((p) => `${p.step.id}:${p.step.status}:${p.progress.done}`)).toEqual([
      's1:running:0',
      's1:succeeded:1',
      's2:running:1',
      's2:succeeded:2',
      's3:running:2',
      's3:succeeded:3',
    ]);
    expect(stepEvents[0]).not.toHaveProperty('step.output');
  });

  it('lists operations newest first and answers NOT_FOUND for an unknown id', async () => {
    const h = harness(new FakeCluster());
    const first = await h.engine.start(threeSteps());
    await h.engine.settled(first);
    h.clock.advance(60_000);
    const second = await h.engine.start(buildPlan([[step('x')]], { cluster: 'other' }));
    await h.engine.settled(second);
    expect((await h.engine.list()).map((op) => op.id)).toEqual([second, first]);
    expect((await h.engine.list({ cluster: 'rc' })).map((op) => op.id)).toEqual([first]);
    await expect(h.engine.get('op-nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.engine.get('../x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
