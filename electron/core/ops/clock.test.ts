import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';

describe('ManualClock', () => {
  it('fires sleeps and repeating ticks in the order they fall due as time advances', async () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const stop = clock.every(300, () => fired.push(`tick@${clock.now()}`));
    const late = clock.sleep(500).then(() => fired.push('sleep500'));
    const early = clock.sleep(100).then(() => fired.push('sleep100'));
    clock.advance(200);
    await early;
    expect(fired).toEqual(['sleep100']);
    clock.advance(500);
    await late;
    // Ticks run inside advance(); a sleep's continuation runs once advance() has returned.
    expect(fired).toEqual(['sleep100', 'tick@300', 'tick@600', 'sleep500']);
    expect(clock.now()).toBe(700);
    stop();
    clock.advance(1_000);
    expect(fired.filter((f) => f.startsWith('tick'))).toHaveLength(2);
  });

  it('rejects a sleep whose signal aborts, and forgets it', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    expect(clock.pending).toBe(1);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(clock.pending).toBe(0);
  });

  it('with autoAdvance, jumps to the next sleep by itself, but never for repeating ticks alone', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    let ticks = 0;
    clock.every(10, () => (ticks += 1));
    await clock.sleep(60_000);
    expect(clock.now()).toBe(60_000);
    expect(ticks).toBe(6_000);
    expect(clock.advanceToNext()).toBe(false); // nothing sleeps: time stands still
    expect(clock.now()).toBe(60_000);
  });
});
