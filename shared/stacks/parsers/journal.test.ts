import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJournalJson, parseJournalShort } from './journal';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/journal/${name}`, import.meta.url), 'utf8');

describe('journalctl -o json', () => {
  it('reads string, byte-array and null messages from real journald output', () => {
    const parsed = parseJournalJson(fixture('json-voms-units.jsonl'), 0);
    expect(parsed.status).toBe('ok');
    if (parsed.status !== 'ok') return;
    const { entries, truncated } = parsed.value;
    expect(truncated).toBe(false);
    expect(entries).toHaveLength(7);
    expect(entries[0]).toMatchObject({
      message: 'voms-server starting (override)',
      unit: 'voms-server.service',
      identifier: 'sh',
      pid: 14157,
      priority: 6,
      hostname: 'vm',
      messageOmitted: false,
      messageWasBinary: false,
    });
    expect(entries[1]).toMatchObject({ message: 'binary \u0001\ufffd payload', messageWasBinary: true });
    expect(entries[2]).toMatchObject({ messageOmitted: true });
    expect(entries[2]?.message).toBeUndefined();
    expect(entries[4]).toMatchObject({ unit: 'voms-worker-consumer.service', message: 'nats: no servers available for connection' });
    expect(entries[0]?.timeMs).toBe(Math.floor(Number(entries[0]?.realtimeUs) / 1000));
    expect(entries.map((entry) => entry.timeMs)).toEqual([...entries.map((entry) => entry.timeMs)].sort((a, b) => a - b));
  });

  it('drops a last line cut in the middle and says so', () => {
    const full = fixture('json-voms-units.jsonl');
    const parsed = parseJournalJson(full.slice(0, full.length - 40), 0);
    expect(parsed).toMatchObject({ status: 'ok', value: { truncated: true } });
    if (parsed.status === 'ok') expect(parsed.value.entries).toHaveLength(6);
  });

  it('answers an empty list for no entries, and unknown when there is no journal', () => {
    expect(parseJournalJson('', 0)).toEqual({ status: 'ok', value: { entries: [], truncated: false } });
    expect(parseJournalJson(fixture('no-journal-files.txt'), 0)).toMatchObject({ status: 'unknown', reason: 'No journal files were found' });
    expect(parseJournalJson('bash: line 1: journalctl: command not found\n', 127)).toMatchObject({
      status: 'unknown',
      reason: 'command not found: journalctl',
    });
  });

  it('refuses text that is not journal JSON', () => {
    expect(parseJournalJson(fixture('short-voms-units.txt'), 0)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('not a journal JSON line') });
  });
});

describe('journalctl short output', () => {
  it('splits real lines into time, host, identifier, pid and message', () => {
    const parsed = parseJournalShort(fixture('short-voms-units.txt'), 0);
    expect(parsed.status).toBe('ok');
    if (parsed.status !== 'ok') return;
    expect(parsed.value).toHaveLength(7);
    expect(parsed.value[0]).toEqual({ timestamp: 'Nov 26 00:26:32', host: 'vm', identifier: 'sh', pid: 14157, message: 'voms-server starting (override)' });
    expect(parsed.value[1]?.message).toBe('[17B blob data]');
    expect(parsed.value[6]).toMatchObject({ timestamp: 'Nov 26 00:26:38', pid: 14300 });
  });

  it('reads "-- No entries --" as an empty list and a missing journal as unknown', () => {
    expect(parseJournalShort(fixture('short-no-entries.txt'), 0)).toEqual({ status: 'ok', value: [] });
    expect(parseJournalShort(fixture('no-journal-files.txt'), 0)).toMatchObject({ status: 'unknown', reason: 'No journal files were found' });
  });

  it('joins indented continuation lines and skips boot markers', () => {
    const text = '-- Boot 1fe684d479814f63b9ec15420a9af75b --\nNov 26 00:26:32 vm voms-server[12]: panic: boom\n                                            goroutine 1 [running]:\n';
    expect(parseJournalShort(text)).toEqual({
      status: 'ok',
      value: [{ timestamp: 'Nov 26 00:26:32', host: 'vm', identifier: 'voms-server', pid: 12, message: 'panic: boom\ngoroutine 1 [running]:' }],
    });
  });
});
