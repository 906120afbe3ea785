import { describe, expect, it } from 'vitest';
import { adoptState, countBySeverity, findingsByHost, isStale, mergeUpdate, type Inspection } from './inspection';
import { clusterState, finding, hostState, update } from './testing';

const names = (count: number) => Array.from({ length: count }, (_, i) => `node-${i}`);

function merged(result: ReturnType<typeof mergeUpdate>): Inspection {
  if (result.kind !== 'merged') throw new Error(`expected a merge, got ${result.kind}`);
  return result.inspection;
}

describe('merging inspectUpdated into the kept hosts', () => {
  it('replaces only the changed hosts of 500 and keeps the others as the same objects', () => {
    const all = names(500);
    const first = adoptState(undefined, clusterState(1, all.map((name) => hostState(name))));
    const changed = [hostState('node-7', { status: 'P1', reach: { ok: false, code: 'SSH_CONNECT', message: 'refused' } }), hostState('node-499', { load1: 3.2 })];
    const next = merged(mergeUpdate(first, update(2, changed, all, [finding('host.unreachable', 'P1', ['node-7'])])));

    expect(next.round).toBe(2);
    expect(next.hosts.map((host) => host.name)).toEqual(all);
    expect(next.hosts[7]).toBe(changed[0]);
    expect(next.hosts[499]?.load1).toBe(3.2);
    const reused = next.hosts.filter((host, index) => host === first.hosts[index]);
    expect(reused).toHaveLength(498);
    expect(next.findings.map((f) => f.ruleId)).toEqual(['host.unreachable']);
  });

  it('drops hosts no longer in the round and keeps the round order', () => {
    const first = adoptState(undefined, clusterState(1, [hostState('a'), hostState('b'), hostState('c')]));
    const next = merged(mergeUpdate(first, update(2, [], ['c', 'a'])));
    expect(next.hosts.map((host) => host.name)).toEqual(['c', 'a']);
  });

  it('asks for the full state after a missed round or when a host is unknown', () => {
    const first = adoptState(undefined, clusterState(1, [hostState('a')]));
    expect(mergeUpdate(first, update(3, [], ['a'])).kind).toBe('resync');
    expect(mergeUpdate(first, update(2, [], ['a', 'new'])).kind).toBe('resync');
    expect(mergeUpdate(undefined, update(5, [hostState('a')], ['a', 'b'])).kind).toBe('resync');
  });

  it('builds the first picture from an event that carries every host', () => {
    const first = merged(mergeUpdate(undefined, update(1, [hostState('a'), hostState('b')], ['a', 'b'])));
    expect(first.hosts).toHaveLength(2);
  });

  it('ignores a repeated or older round', () => {
    const second = adoptState(undefined, clusterState(2, [hostState('a')]));
    expect(mergeUpdate(second, update(2, [hostState('a', { load1: 9 })], ['a'])).kind).toBe('ignored');
    expect(mergeUpdate(second, update(1, [hostState('a', { load1: 9 })], ['a'])).kind).toBe('ignored');
  });

  it('resyncs when the main process restarted and counts rounds from 1 again', () => {
    const fifth = adoptState(undefined, clusterState(5, [hostState('a')]));
    const restarted = { ...update(1, [hostState('a')], ['a']), startedAt: '2030-01-01T00:00:00.000Z' };
    expect(mergeUpdate(fifth, restarted).kind).toBe('resync');
  });

  it('sorts findings P1 first and records when the round finished', () => {
    const state = clusterState(1, [hostState('a')], [finding('x.p3', 'P3', ['a']), finding('x.p1', 'P1', ['a']), finding('x.p2', 'P2', ['a'])]);
    const inspection = adoptState(undefined, state);
    expect(inspection.findings.map((f) => f.severity)).toEqual(['P1', 'P2', 'P3']);
    expect(inspection.finishedAt).toBe(Date.parse(state.startedAt) + 800);
  });
});

describe('adopting a full state', () => {
  it('reuses unchanged hosts and keeps a newer round it already has', () => {
    const first = adoptState(undefined, clusterState(1, [hostState('a'), hostState('b')]));
    const second = adoptState(first, clusterState(2, [hostState('a'), hostState('b', { load1: 2 })]));
    expect(second.hosts[0]).toBe(first.hosts[0]);
    expect(second.hosts[1]).not.toBe(first.hosts[1]);
    expect(adoptState(second, clusterState(1, [hostState('a')]))).toBe(second);
  });
});

describe('counts and staleness', () => {
  it('counts findings per severity and per host', () => {
    const findings = [finding('a', 'P1', ['h1']), finding('b', 'P2', ['h1', 'h2']), finding('c', 'P2', ['h2'])];
    expect(countBySeverity(findings)).toEqual({ P1: 1, P2: 2, P3: 0 });
    expect(findingsByHost(findings).get('h2')).toEqual({ P1: 0, P2: 2, P3: 0 });
  });

  it('is stale past twice the interval or after a failed refresh, never on age alone without an interval', () => {
    expect(isStale(0, 59_000, 30, false)).toBe(false);
    expect(isStale(0, 61_000, 30, false)).toBe(true);
    expect(isStale(0, 10 * 86_400_000, 0, false)).toBe(false);
    expect(isStale(0, 1000, 30, true)).toBe(true);
  });
});
