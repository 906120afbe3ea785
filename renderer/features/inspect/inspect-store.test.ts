import { describe, expect, it, vi } from 'vitest';
import type { ClusterState } from '../../../shared/contract/inspect';
import { createInspectStore, type InspectClient } from './inspect-store';
import { clusterState, finding, hostState, update } from './model/testing';

/** A fake main process: answers from a table, and lets the test run the frame flush by hand. */
function setup(states: Record<string, ClusterState | null> = {}) {
  const client = {
    state: vi.fn(async ({ cluster }: { cluster: string }) => states[cluster] ?? null),
    refresh: vi.fn(async ({ cluster }: { cluster: string }): Promise<ClusterState> => {
      const state = states[cluster];
      if (!state) throw new Error(`No cluster named "${cluster}"`);
      return state;
    }),
    setInterval: vi.fn(async ({ seconds }: { seconds: number }) => ({ seconds })),
  } satisfies InspectClient;
  const frames: Array<() => void> = [];
  const store = createInspectStore(client, (flush) => frames.push(flush));
  const runFrame = () => frames.splice(0).forEach((flush) => flush());
  return { client, store, runFrame, frames };
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `node-${i}`);

describe('the inspect store', () => {
  it('applies a burst of rounds for 500 hosts in one update per frame', async () => {
    const all = names(500);
    const { store, runFrame, frames } = setup({ big: clusterState(1, all.map((name) => hostState(name)), [], 'big') });
    await store.getState().load('big');
    const before = store.getState().clusters.big?.inspection;
    expect(before?.hosts).toHaveLength(500);

    const notified = vi.fn();
    const unsubscribe = store.subscribe(notified);
    // Round 2 changes one host, round 3 another: both arrive before the next frame.
    store.getState().receive(update(2, [hostState('node-10', { load1: 4 })], all, [], 'big'));
    store.getState().receive(update(3, [hostState('node-20', { status: 'P2' })], all, [finding('host.disk-full', 'P2', ['node-20'])], 'big'));
    expect(frames).toHaveLength(1);
    expect(notified).not.toHaveBeenCalled();
    runFrame();
    unsubscribe();

    expect(notified).toHaveBeenCalledTimes(1);
    const after = store.getState().clusters.big?.inspection;
    expect(after?.round).toBe(3);
    expect(after?.hosts[10]?.load1).toBe(4);
    expect(after?.hosts[20]?.status).toBe('P2');
    expect(after?.findings.map((f) => f.ruleId)).toEqual(['host.disk-full']);
    expect(after?.hosts.filter((host, index) => host === before?.hosts[index])).toHaveLength(498);
  });

  it('fetches the full state when a round was missed', async () => {
    const { store, client, runFrame } = setup({ c: clusterState(1, [hostState('a')]) });
    await store.getState().load('c');
    expect(client.state).toHaveBeenCalledTimes(1);
    store.getState().receive(update(4, [], ['a']));
    runFrame();
    await vi.waitFor(() => expect(client.state).toHaveBeenCalledTimes(2));
  });

  it('loads a cluster once, and marks a never-inspected cluster as loaded without a round', async () => {
    const { store, client } = setup();
    await Promise.all([store.getState().load('fresh'), store.getState().load('fresh')]);
    await store.getState().load('fresh');
    expect(client.state).toHaveBeenCalledTimes(1);
    expect(store.getState().clusters.fresh).toMatchObject({ loaded: true, inspection: undefined });
  });

  it('shows refresh progress, keeps the old round when a refresh fails, and clears the failure on the next round', async () => {
    const { store, client, runFrame } = setup({ c: clusterState(1, [hostState('a')]) });
    await store.getState().load('c');
    client.refresh.mockImplementationOnce(async () => {
      expect(store.getState().clusters.c?.refreshing).toBe(true);
      throw new Error('SSH layer closed');
    });
    await store.getState().refresh('c');
    expect(store.getState().clusters.c).toMatchObject({ refreshing: false, refreshError: 'SSH layer closed' });
    expect(store.getState().clusters.c?.inspection?.round).toBe(1);

    store.getState().receive(update(2, [], ['a']));
    runFrame();
    expect(store.getState().clusters.c?.refreshError).toBeUndefined();
    expect(store.getState().clusters.c?.inspection?.round).toBe(2);
  });

  it('adopts the round a refresh returns', async () => {
    const states: Record<string, ClusterState | null> = { c: null };
    const { store } = setup(states);
    await store.getState().load('c');
    states.c = clusterState(1, [hostState('a', { status: 'P1' })], [finding('host.unreachable', 'P1', ['a'])]);
    await store.getState().refresh('c');
    expect(store.getState().clusters.c?.inspection?.findings).toHaveLength(1);
  });

  it('keeps the interval the main process confirmed, and the error when it refuses', async () => {
    const { store, client } = setup();
    await store.getState().setInterval(30);
    expect(store.getState().intervalSeconds).toBe(30);
    client.setInterval.mockRejectedValueOnce(new Error('too long'));
    await store.getState().setInterval(7200);
    expect(store.getState()).toMatchObject({ intervalSeconds: 30, intervalError: 'too long' });
  });
});
