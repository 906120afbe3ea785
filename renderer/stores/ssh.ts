import { create } from 'zustand';
import type { AuthPromptItem, PendingHostKeyItem } from '../../shared/contract';
import { api } from '../api/client';
import { foldInspectRound, withoutHost, type HostKeyReplacement, type RefusedHostKey } from '../features/ssh/host-key-change';
import { sorted, upsert, without } from '../features/ssh/queue';
import { errorMessage } from '../ui/error-message';
import { useConnection } from './connection';

interface SshStore {
  /** First-use host keys whose connections wait for the admin, oldest first. */
  hostKeys: PendingHostKeyItem[];
  /** Authentication questions, oldest first; the dialog shows the first. Answers are never kept here. */
  prompts: AuthPromptItem[];
  /** Connections refused because a host key changed, as the inspection rounds report them. */
  refused: RefusedHostKey[];
  loaded: boolean;
  error: string | undefined;
  panelOpen: boolean;
  /** The replace dialog shown by the app frame: for a refusal, or 'manual' (the admin names host and key). */
  replacing: HostKeyReplacement | 'manual' | undefined;
  load(): Promise<void>;
  approve(ids: readonly string[]): Promise<string[]>;
  reject(ids: readonly string[]): Promise<string[]>;
  answerPrompt(id: string, answers: string[]): Promise<void>;
  cancelPrompt(id: string): Promise<void>;
  setPanelOpen(open: boolean): void;
  /** Opens the replace dialog; the inspect views may call this from a host-key finding. */
  openReplace(request: HostKeyReplacement | 'manual'): void;
  closeReplace(): void;
  /** A key was replaced: its refusals are settled. */
  replaced(host: string, port: number): void;
}

export const useSsh = create<SshStore>((set, get) => ({
  hostKeys: [],
  prompts: [],
  refused: [],
  loaded: false,
  error: undefined,
  panelOpen: false,
  replacing: undefined,
  async load() {
    try {
      const [keys, prompts] = await Promise.all([api.hostKeys.pending({}), api.ssh.pendingPrompts({})]);
      set((s) => ({
        hostKeys: sorted(keys.items),
        prompts: sorted(prompts.items),
        loaded: true,
        error: undefined,
        panelOpen: s.panelOpen || (!s.loaded && keys.items.length > 0),
      }));
    } catch (error) {
      set({ error: errorMessage(error), loaded: true });
    }
    await loadRefusals();
  },
  async approve(ids) {
    const { approved } = await api.hostKeys.approve({ ids: [...ids] });
    set((s) => ({ hostKeys: without(s.hostKeys, approved) }));
    return approved;
  },
  async reject(ids) {
    const { rejected } = await api.hostKeys.reject({ ids: [...ids] });
    set((s) => ({ hostKeys: without(s.hostKeys, rejected) }));
    return rejected;
  },
  async answerPrompt(id, answers) {
    await api.ssh.answerPrompt({ id, answers });
    set((s) => ({ prompts: without(s.prompts, [id]) }));
  },
  async cancelPrompt(id) {
    await api.ssh.cancelPrompt({ id });
    set((s) => ({ prompts: without(s.prompts, [id]) }));
  },
  setPanelOpen: (panelOpen) => set({ panelOpen }),
  openReplace: (replacing) => set({ replacing }),
  closeReplace: () => set({ replacing: undefined }),
  replaced: (host, port) => set({ refused: withoutHost(get().refused, host, port) }),
}));

/** Refusals from rounds that ran before this window opened (later ones arrive as events). */
async function loadRefusals(): Promise<void> {
  let clusters: { name: string }[];
  try {
    clusters = await api.inventory.list({});
  } catch {
    return;
  }
  for (const { name } of clusters) {
    const state = await api.inspect.state({ cluster: name }).catch(() => null);
    if (!state) continue;
    useSsh.setState((s) => ({
      refused: foldInspectRound(s.refused, { cluster: name, changedHosts: state.hosts, hostNames: state.hosts.map((h) => h.name) }),
    }));
  }
}

api.events.hostKeyPending((item) =>
  // The panel opens by itself when the first key arrives; after the admin closes it, it stays closed.
  useSsh.setState((s) => ({ hostKeys: upsert(s.hostKeys, item), panelOpen: s.panelOpen || s.hostKeys.length === 0 })),
);
api.events.hostKeyResolved(({ id }) => useSsh.setState((s) => ({ hostKeys: without(s.hostKeys, [id]) })));
api.events.authPromptPending((prompt) => useSsh.setState((s) => ({ prompts: upsert(s.prompts, prompt) })));
api.events.authPromptResolved(({ id }) => useSsh.setState((s) => ({ prompts: without(s.prompts, [id]) })));
api.events.inspectUpdated((round) => useSsh.setState((s) => ({ refused: foldInspectRound(s.refused, round) })));

// After browser mode lost its server (a restart), what waits may have changed entirely.
let connectionLost = false;
useConnection.subscribe((connection) => {
  if (connection.state === 'closed') connectionLost = true;
  if (connection.state === 'open' && connectionLost) {
    connectionLost = false;
    void useSsh.getState().load();
  }
});
