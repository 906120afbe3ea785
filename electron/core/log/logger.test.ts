import { describe, expect, it } from 'vitest';
import { createLogger, redact } from './logger';

describe('logger', () => {
  it('redacts secret-looking fields at any depth', () => {
    expect(redact({ host: 'a', password: 'hunter2', nested: { passphrase: 'x', token: 'y', user: 'root' } })).toEqual({
      host: 'a',
      password: '[redacted]',
      nested: { passphrase: '[redacted]', token: '[redacted]', user: 'root' },
    });
  });

  it('keeps a bounded ring buffer and honours the sink level', () => {
    const sunk: string[] = [];
    const log = createLogger({ capacity: 3, minLevel: 'warn', sink: (e) => sunk.push(e.message) });
    for (const n of [1, 2, 3, 4]) log.info('t', `info ${n}`);
    log.warn('t', 'warned');
    expect(log.entries().map((e) => e.message)).toEqual(['info 3', 'info 4', 'warned']);
    expect(sunk).toEqual(['warned']);
  });
});
