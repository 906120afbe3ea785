import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { createClient, type Transport } from './client';
import type { WireResult } from './define';

function fakeTransport(answer: (channel: string, input: unknown) => WireResult) {
  const sent: Array<[string, unknown]> = [];
  let listener: ((event: string, payload: unknown) => void) | undefined;
  const transport: Transport = {
    call: async (channel, input) => {
      sent.push([channel, input]);
      return answer(channel, input);
    },
    listen: (l) => {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
  };
  return { transport, sent, emit: (event: string, payload: unknown) => listener?.(event, payload) };
}

describe('the generated client', () => {
  it('maps each call to its channel and unwraps results', async () => {
    const fake = fakeTransport(() => ({ ok: true, result: { language: 'en', theme: 'dark' } }));
    const client = createClient(fake.transport);
    await expect(client.settings.update({ theme: 'dark' })).resolves.toEqual({ language: 'en', theme: 'dark' });
    expect(fake.sent).toEqual([['settings.update', { theme: 'dark' }]]);
  });

  it('throws typed errors as AppError with code and details', async () => {
    const fake = fakeTransport(() => ({ ok: false, error: { code: 'CONFLICT', message: 'busy', details: { by: 'bob' } } }));
    const client = createClient(fake.transport);
    const error = await client.settings.get({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'busy', details: { by: 'bob' } });
  });

  it('delivers only the subscribed event, until unsubscribed', () => {
    const fake = fakeTransport(() => ({ ok: true, result: {} }));
    const client = createClient(fake.transport);
    const seen: unknown[] = [];
    const stop = client.events.settingsChanged((s) => seen.push(s));
    fake.emit('otherEvent', 1);
    fake.emit('settingsChanged', { language: 'zh-CN', theme: 'system' });
    stop();
    fake.emit('settingsChanged', { language: 'en', theme: 'system' });
    expect(seen).toEqual([{ language: 'zh-CN', theme: 'system' }]);
  });
});
