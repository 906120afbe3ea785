import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { KeyedLimiter, Limiter } from './limiter';

describe('Limiter', () => {
  it('grants up to the limit, then in FIFO order as permits come back', async () => {
    const limiter = new Limiter(2);
    const order: number[] = [];
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    const [waitingThird, waitingFourth] = [3, 4].map((n) => limiter.acquire().then((release) => (order.push(n), release))) as [
      Promise<() => void>,
      Promise<() => void>,
    ];
    expect(limiter.queued).toBe(2);
    first();
    first(); // releasing twice is harmless
    const third = await waitingThird;
    expect(order).toEqual([3]);
    expect(limiter.inUse).toBe(2);
    second();
    (await waitingFourth)();
    third();
    expect(order).toEqual([3, 4]);
    expect(limiter.inUse).toBe(0);
  });

  it('stops waiting with CANCELLED when the signal aborts', async () => {
    const limiter = new Limiter(1);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(limiter.queued).toBe(0);
    held();
    expect(limiter.inUse).toBe(0);
  });

  it('refuses a non-positive limit', () => {
    expect(() => new Limiter(0)).toThrow(AppError);
  });
});

describe('KeyedLimiter', () => {
  it('limits each key separately', async () => {
    const limiter = new KeyedLimiter(1);
    const a = await limiter.acquire('a');
    const b = await limiter.acquire('b');
    let secondA = false;
    const waiting = limiter.acquire('a').then((release) => {
      secondA = true;
      return release;
    });
    await Promise.resolve();
    expect(secondA).toBe(false);
    a();
    (await waiting)();
    expect(secondA).toBe(true);
    b();
  });
});
