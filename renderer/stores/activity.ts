import { create } from 'zustand';
import type { AuditEntry } from '../../shared/contract';
import { api } from '../api/client';

interface ActivityStore {
  entries: AuditEntry[];
  loaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
}

export const useActivity = create<ActivityStore>((set) => ({
  entries: [],
  loaded: false,
  error: undefined,
  async load() {
    try {
      set({ entries: await api.audit.list({ limit: 5000 }), loaded: true, error: undefined });
    } catch (error) {
      set({ error: error instanceof Error ? error.message : String(error), loaded: true });
    }
  },
}));

api.events.auditAppended((entry) => useActivity.setState((s) => ({ entries: [entry, ...s.entries] })));
