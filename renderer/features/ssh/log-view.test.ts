import { describe, expect, it } from 'vitest';
import type { SshLogEntryItem } from '../../../shared/contract';
import { appendLog, filterLog } from './log-view';

const entry = (seq: number, level: SshLogEntryItem['level'], message: string, target?: string): SshLogEntryItem => ({
  seq,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  level,
  event: 'connect',
  message,
  ...(target ? { target } : {}),
});

describe('filterLog', () => {
  const log = [entry(1, 'debug', 'handshake'), entry(2, 'info', 'ready', 'ops@db-1:22'), entry(3, 'warn', 'retrying'), entry(4, 'error', 'key CHANGED')];

  it('shows newest first, at or above the chosen level', () => {
    expect(filterLog(log, 'debug', '').map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(filterLog(log, 'warn', '').map((e) => e.seq)).toEqual([4, 3]);
  });
  it('matches text in the message, event or target, in any case', () => {
    expect(filterLog(log, 'debug', 'changed').map((e) => e.seq)).toEqual([4]);
    expect(filterLog(log, 'debug', 'DB-1').map((e) => e.seq)).toEqual([2]);
    expect(filterLog(log, 'error', 'ready')).toEqual([]);
  });
});

describe('appendLog', () => {
  it('adds only newer entries and keeps the newest within the cap', () => {
    const start = [entry(1, 'info', 'a'), entry(2, 'info', 'b')];
    expect(appendLog(start, [entry(2, 'info', 'b'), entry(3, 'info', 'c')]).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(appendLog(start, [entry(3, 'info', 'c'), entry(4, 'info', 'd')], 3).map((e) => e.seq)).toEqual([2, 3, 4]);
  });
});
