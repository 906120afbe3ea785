import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../lab/lab';
import { runCliCaptured } from './cli-harness';

/** `switchboard restart` and `switchboard ops` against the vernemq-nonempty lab (a SIMULATION). */

let dir: string;
let lab: LabHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-cli-restart-'));
  lab = await startLab({ scenario: 'vernemq-nonempty', timeScale: 0.01, dir: join(dir, 'lab') });
}, 60_000);

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCliCaptured(args, { cwd: dir });

const common = () => ['--inventory', lab.inventoryPath, '--cluster', 'vernemq', '--data-dir', join(dir, 'data'), '--journal', join(dir, 'ops')];

describe('switchboard restart (lab)', () => {
  it('plan prints batches, exact commands, gates and what keeps serving', async () => {
    const result = await cli(['restart', 'plan', ...common(), '--nodes', 'vernemq-3']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Batch 1: VerneMQ nodes');
    expect(result.out).toContain('$ sudo -n -- vmq-admin cluster join discovery-node=VerneMQ@vernemq-1  (on vernemq-3)');
    expect(result.out).toContain('gate: vernemq.joined');
    expect(result.out).toContain('serving: ');
    const json = await cli(['restart', 'plan', ...common(), '--nodes', 'vernemq-3', '--json']);
    expect((JSON.parse(json.out) as { plan: { batches: unknown[] } }).plan.batches).toHaveLength(2);
  }, 60_000);

  it('run needs --yes; with it the restart runs to the end, reports progress and ops list shows it', async () => {
    expect((await cli(['restart', 'run', ...common()])).code).toBe(1);
    const result = await cli(['restart', 'run', ...common(), '--nodes', 'vernemq-3', '--yes']);
    expect(result.err).toMatch(/Join VerneMQ@vernemq-3 to the cluster: succeeded/);
    expect(result.err).toMatch(/Operation op-\S+: succeeded/);
    expect(result.code).toBe(0);
    const list = await cli(['ops', 'list', '--journal', join(dir, 'ops')]);
    expect(list.out).toMatch(/succeeded\s+vernemq\s+6\/6/);
    const id = /^(op-\S+)/.exec(list.out)![1]!;
    const show = await cli(['ops', 'show', id, '--journal', join(dir, 'ops')]);
    expect(show.out).toContain('succeeded Start vernemq-3 without the bridge plugin');
  }, 120_000);
});
