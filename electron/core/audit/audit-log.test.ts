import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function log(onAppend?: () => void) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-audit-'));
  dirs.push(dir);
  return new AuditLog(dir, { actor: 'alice', now: () => new Date('2026-11-26T01:00:00Z'), onAppend });
}

describe('AuditLog', () => {
  it('appends entries and lists the newest first, filtered by cluster', async () => {
    const audit = log();
    await audit.append({ action: 'restart.run', cluster: 'rc', outcome: 'ok', summary: 'Restarted 4 nodes' });
    await audit.append({ action: 'license.apply', cluster: 'other', outcome: 'failed', summary: 'Blocked' });
    await audit.append({ action: 'rollback.run', cluster: 'rc', outcome: 'reverted', summary: 'Undone' });
    const rc = await audit.list({ limit: 10, cluster: 'rc' });
    expect(rc.map((e) => e.action)).toEqual(['rollback.run', 'restart.run']);
    expect(rc[0]).toMatchObject({ actor: 'alice', time: '2026-11-26T01:00:00.000Z' });
  });

  it('only ever appends: earlier lines stay byte-identical', async () => {
    const audit = log();
    await audit.append({ action: 'a', outcome: 'ok', summary: 'first' });
    const before = readFileSync(audit.file, 'utf8');
    await audit.append({ action: 'b', outcome: 'ok', summary: 'second' });
    expect(readFileSync(audit.file, 'utf8').startsWith(before)).toBe(true);
  });

  it('skips a line torn by a crash and keeps the rest', async () => {
    const audit = log();
    await audit.append({ action: 'a', outcome: 'ok', summary: 'kept' });
    appendFileSync(audit.file, '{"id":"x","time":"2026');
    expect((await audit.list({ limit: 10 })).map((e) => e.summary)).toEqual(['kept']);
    await audit.append({ action: 'b', outcome: 'ok', summary: 'after the crash' });
    expect((await audit.list({ limit: 10 })).map((e) => e.summary)).toEqual(['after the crash', 'kept']);
  });

  it('tells listeners about each new entry', async () => {
    let calls = 0;
    const audit = log(() => (calls += 1));
    await audit.append({ action: 'a', outcome: 'ok', summary: 'x' });
    expect(calls).toBe(1);
  });
});
