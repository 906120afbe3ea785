import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, defineCall } from '../../../shared/contract';
import { createLogger } from '../log/logger';
import { Dispatcher } from './dispatcher';

const groups = {
  math: {
    double: defineCall('Doubles a number', z.object({ n: z.number().int() }).strict(), z.object({ result: z.number() })),
    fail: defineCall('Always fails with a typed error', z.object({}), z.object({})),
    crash: defineCall('Throws an untyped error', z.object({}), z.object({})),
    lie: defineCall('Returns the wrong shape', z.object({}), z.object({ ok: z.boolean() })),
  },
};

function build() {
  const log = createLogger();
  const dispatcher = new Dispatcher(
    groups,
    {
      math: {
        double: ({ n }: { n: number }) => ({ result: n * 2 }),
        fail: () => {
          throw new AppError('CONFLICT', 'Already running', { holder: 'alice' });
        },
        crash: () => {
          throw new Error('secret internal detail at /home/x/file.ts:12');
        },
        lie: () => ({ ok: 'yes' }),
      },
    },
    log,
  );
  return { dispatcher, log };
}

describe('Dispatcher', () => {
  it('validates input and returns the typed result', async () => {
    const { dispatcher } = build();
    expect(await dispatcher.dispatch('math.double', { n: 21 })).toEqual({ ok: true, result: { result: 42 } });
  });

  it('rejects invalid input before the handler runs, naming the field', async () => {
    const { dispatcher } = build();
    const reply = await dispatcher.dispatch('math.double', { n: 'x', extra: 1 });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(reply.error.details)).toContain('"path":"n"');
    }
  });

  it('answers unknown channels and non-string channels with NOT_FOUND', async () => {
    const { dispatcher } = build();
    expect(await dispatcher.dispatch('math.triple', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatcher.dispatch({ evil: true }, {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('passes typed errors through with their details', async () => {
    const { dispatcher } = build();
    expect(await dispatcher.dispatch('math.fail', {})).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'Already running', details: { holder: 'alice' } },
    });
  });

  it('never sends a stack or an internal message to the caller, but logs it', async () => {
    const { dispatcher, log } = build();
    const reply = await dispatcher.dispatch('math.crash', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(reply)).not.toContain('secret internal detail');
    expect(JSON.stringify(log.entries())).toContain('secret internal detail');
  });

  it('refuses to return a result that breaks the contract', async () => {
    const { dispatcher } = build();
    expect(await dispatcher.dispatch('math.lie', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('refuses to start when a call has no handler', () => {
    expect(() => new Dispatcher(groups, { math: {} }, createLogger())).toThrow('No handler registered for math.double');
  });
});
