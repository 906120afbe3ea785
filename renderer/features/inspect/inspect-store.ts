import { create } from 'zustand';
import type { ClusterState } from '../../../shared/contract/inspect';
import { errorMessage } from '../../ui/error-message';
import { adoptState, mergeUpdate, type Inspection, type InspectUpdate } from './model/inspection';

/** The part of the contract the store needs (the real client, or a fake in tests). */
export interface InspectClient {
  state(input: { cluster: string }): Promise<ClusterState | null>;
  refresh(input: { cluster: string }): Promise<ClusterState>;
  setInterval(input: { seconds: number }): Promise<{ seconds: number }>;
}

export interface ClusterEntry {
  /** The latest round; undefined before the first (or until `inspect.state` answered). */
  inspection: Inspection | undefined;
  /** `inspect.state` answered at least once (so "no inspection" means "never inspected"). */
  loaded: boolean;
  refreshing: boolean;
  /** Why the latest refresh failed; what is shown is then stale. Cleared by the next round. */
  refreshError: string | undefined;
  loadError: string | undefined;
}

export interface InspectState {
  clusters: Readonly<Record<string, ClusterEntry>>;
  /** The re-inspection interval (mirrored from the settings; 0 = on demand only). */
  intervalSeconds: number;
  intervalError: string | undefined;
  /** Reads the latest round of a cluster once (again with `force`, e.g. after a missed round). */
  load(cluster: string, options?: { force?: boolean }): Promise<void>;
  refresh(cluster: string): Promise<void>;
  setInterval(seconds: number): Promise<void>;
  /** Takes an `inspectUpdated` event; events are applied together once per frame. */
  receive(update: InspectUpdate): void;
}

const emptyEntry: ClusterEntry = { inspection: undefined, loaded: false, refreshing: false, refreshError: undefined, loadError: undefined };

/** Runs `flush` before the next paint: a burst of rounds costs one render, not one per event. */
export function nextFrame(flush: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 0);
}

/**
 * The inspect store: fed by `inspect.state` and `inspect.refresh` answers and by the
 * `inspectUpdated` event, which carries every finding but only the hosts that changed.
 */
export function createInspectStore(client: InspectClient, schedule: (flush: () => void) => void = nextFrame) {
  const loading = new Map<string, Promise<void>>();
  let pending: InspectUpdate[] = [];

  const store = create<InspectState>((set, get) => {
    const patch = (cluster: string, change: (entry: ClusterEntry) => Partial<ClusterEntry>) =>
      set((state) => {
        const entry = state.clusters[cluster] ?? emptyEntry;
        return { clusters: { ...state.clusters, [cluster]: { ...entry, ...change(entry) } } };
      });

    const adopt = (state: ClusterState) =>
      patch(state.cluster, (entry) => {
        const inspection = adoptState(entry.inspection, state);
        return inspection === entry.inspection ? { loaded: true, loadError: undefined } : { inspection, loaded: true, loadError: undefined, refreshError: undefined };
      });

    const flush = () => {
      const updates = pending;
      pending = [];
      const resync = new Set<string>();
      set((state) => {
        const clusters = { ...state.clusters };
        for (const update of updates) {
          const entry = clusters[update.cluster] ?? emptyEntry;
          const merged = mergeUpdate(entry.inspection, update);
          if (merged.kind === 'resync') resync.add(update.cluster);
          if (merged.kind !== 'merged') continue;
          resync.delete(update.cluster);
          clusters[update.cluster] = { ...entry, inspection: merged.inspection, loaded: true, refreshError: undefined };
        }
        return { clusters };
      });
      for (const cluster of resync) void get().load(cluster, { force: true });
    };

    return {
      clusters: {},
      intervalSeconds: 0,
      intervalError: undefined,

      load(cluster, options = {}) {
        const entry = get().clusters[cluster];
        if (entry?.loaded && !options.force) return Promise.resolve();
        // A forced load (after a missed round) does not wait for one that may have started before that round.
        const running = loading.get(cluster);
        if (running && !options.force) return running;
        const request = client
          .state({ cluster })
          .then(
            (state) => (state ? adopt(state) : patch(cluster, () => ({ loaded: true, loadError: undefined }))),
            (error: unknown) => patch(cluster, () => ({ loaded: true, loadError: errorMessage(error) })),
          )
          .finally(() => {
            if (loading.get(cluster) === request) loading.delete(cluster);
          });
        loading.set(cluster, request);
        return request;
      },

      async refresh(cluster) {
        patch(cluster, () => ({ refreshing: true }));
        try {
          adopt(await client.refresh({ cluster }));
          patch(cluster, () => ({ refreshing: false, refreshError: undefined }));
        } catch (error) {
          patch(cluster, () => ({ refreshing: false, refreshError: errorMessage(error) }));
        }
      },

      async setInterval(seconds) {
        try {
          const answer = await client.setInterval({ seconds });
          set({ intervalSeconds: answer.seconds, intervalError: undefined });
        } catch (error) {
          set({ intervalError: errorMessage(error) });
        }
      },

      receive(update) {
        pending.push(update);
        if (pending.length === 1) schedule(flush);
      },
    };
  });
  return store;
}

export type InspectStoreHook = ReturnType<typeof createInspectStore>;
