import { describe, expect, it } from 'vitest';
import { SshDebugLog } from './log';

describe('SshDebugLog', () => {
  it('keeps the newest entries up to its capacity, in order', () => {
    const log = new SshDebugLog(3, () => new Date('2025-01-02T03:04:05Z'));
    for (let i = 1; i <= 5; i++) log.add('info', 'connect', `entry ${i}`, 'u@h:22');
    expect(log.read().map((e) => [e.seq, e.message])).toEqual([
      [3, 'entry 3'],
      [4, 'entry 4'],
      [5, 'entry 5'],
    ]);
    expect(log.read({ afterSeq: 4 }).map((e) => e.seq)).toEqual([5]);
    expect(log.read({ limit: 1 }).map((e) => e.seq)).toEqual([5]);
    expect(log.read()[0]).toMatchObject({ time: '2025-01-02T03:04:05.000Z', level: 'info', event: 'connect', target: 'u@h:22' });
  });

  it('redacts registered secrets, password assignments and private key blocks', () => {
    const log = new SshDebugLog();
    log.registerSecret(`p@ss'$(word)`);
    log.add('warn', 'auth', `got p@ss'$(word) back`);
    log.add('warn', 'auth', 'config password=letmein passphrase: abc');
    log.add('warn', 'auth', 'key -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY----- end');
    const text = log.read().map((e) => e.message);
    expect(text).toEqual([
      'got [redacted] back',
      'config password=[redacted] passphrase: [redacted]',
      'key [redacted] end',
    ]);
  });

  it('does not register one- or two-letter secrets, which would blank ordinary words', () => {
    const log = new SshDebugLog();
    log.registerSecret('a');
    log.add('info', 'connect', 'a banana');
    expect(log.read()[0]?.message).toBe('a banana');
  });

  it('notifies subscribers until they unsubscribe', () => {
    const log = new SshDebugLog();
    const seen: string[] = [];
    const stop = log.subscribe((entry) => seen.push(entry.message));
    log.add('info', 'connect', 'one');
    stop();
    log.add('info', 'connect', 'two');
    expect(seen).toEqual(['one']);
  });
});
