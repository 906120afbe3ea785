import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planSchema, policySchema } from '../../../shared/ops/plan';
import type { CreatedRecord, JournalRecord } from '../../../shared/ops/records';
import { OperationJournal } from './journal';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function journal(): OperationJournal {
  const dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
  dirs.push(dir);
  return new OperationJournal(join(dir, 'operations'));
}

const created = (opId: string): CreatedRecord => ({
  seq: 0,
  time: '2026-03-01T10:00:00.000Z',
  type: 'created',
  opId,
  plan: planSchema.parse({
    kind: 'restart',
    cluster: 'rc',
    title: 'Restart',
    batches: [{ id: 'b', title: 'b', steps: [{ id: 's1', title: 'S1', description: 'd', action: { kind: 'x', params: {} } }] }],
  }),
  policy: policySchema.parse({}),
  actor: 'alice',
  host: 'laptop',
});

const started = (seq: number): JournalRecord => ({ seq, time: '2026-03-01T10:00:01.000Z', type: 'step-started', stepId: 's1', attempt: seq });

describe('OperationJournal', () => {
  it('creates a journal once and refuses to overwrite it', async () => {
    const j = journal();
    await j.create(created('op-1'));
    await expect(j.create(created('op-1'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect((await j.read('op-1')).records).toEqual([created('op-1')]);
  });

  it('keeps the order of appends made without waiting for each other', async () => {
    const j = journal();
    await j.create(created('op-1'));
    await Promise.all(Array.from({ length: 25 }, (_, i) => j.append('op-1', started(i + 1))));
    const { records } = await j.read('op-1');
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i));
  });

  it('skips a line torn by a crash, and the next append starts on a fresh line', async () => {
    const j = journal();
    await j.create(created('op-1'));
    await j.append('op-1', started(1));
    appendFileSync(j.file('op-1'), '{"seq":2,"time":"2026-03-01T10:0');
    expect(await j.read('op-1')).toMatchObject({ records: [{ seq: 0 }, { seq: 1 }], skippedLines: 1 });
    await j.append('op-1', started(3));
    const { records, skippedLines } = await j.read('op-1');
    expect(records.map((r) => r.seq)).toEqual([0, 1, 3]);
    expect(skippedLines).toBe(1);
    expect(readFileSync(j.file('op-1'), 'utf8').split('\n').at(-2)).toBe(JSON.stringify(started(3)));
  });

  it('lists operation journals only, and says whether each is finished', async () => {
    const j = journal();
    await j.create(created('op-1'));
    await j.create(created('op-2'));
    await j.append('op-2', { seq: 1, time: 't', type: 'finished', outcome: 'succeeded' });
    mkdirSync(join(j.dir, 'locks'));
    writeFileSync(join(j.dir, 'notes.txt'), 'x');
    expect((await j.list()).sort()).toEqual(['op-1', 'op-2']);
    expect(await j.finished('op-1')).toBe('open');
    expect(await j.finished('op-2')).toBe('finished');
    expect(await j.finished('op-3')).toBe('missing');
  });

  it('refuses operation ids that could leave the directory', () => {
    const j = journal();
    expect(() => j.file('../etc/passwd')).toThrow(/Not an operation id/);
    expect(() => j.file('a/b')).toThrow(/Not an operation id/);
  });
});
