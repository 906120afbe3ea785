import { describe, expect, it } from 'vitest';
import { sorted, upsert, without } from './queue';

const item = (id: string, requestedAt: string, note = '') => ({ id, requestedAt, note });

describe('waiting queues', () => {
  it('keeps items oldest first, each id once (an event may repeat a loaded item)', () => {
    let items = sorted([item('b', '2026-01-01T00:00:02Z'), item('a', '2026-01-01T00:00:01Z')]);
    items = upsert(items, item('c', '2026-01-01T00:00:00Z'));
    items = upsert(items, item('b', '2026-01-01T00:00:02Z', 'again'));
    expect(items.map((i) => i.id)).toEqual(['c', 'a', 'b']);
    expect(items.find((i) => i.id === 'b')?.note).toBe('again');
  });
  it('removes resolved items', () => {
    const items = [item('a', '1'), item('b', '2'), item('c', '3')];
    expect(without(items, ['a', 'c', 'zzz']).map((i) => i.id)).toEqual(['b']);
  });
});
