import { create } from 'zustand';
import type { Settings } from '../../shared/contract';
import { api } from '../api/client';

interface SettingsStore {
  settings: Settings | undefined;
  error: string | undefined;
  load(): Promise<void>;
  update(patch: Partial<Settings>): Promise<void>;
}

export const useSettings = create<SettingsStore>((set) => ({
  settings: undefined,
  error: undefined,
  async load() {
    try {
      set({ settings: await api.settings.get({}), error: undefined });
    } catch (error) {
      set({ error: error instanceof Error ? error.message : String(error) });
    }
  },
  async update(patch) {
    try {
      set({ settings: await api.settings.update(patch), error: undefined });
    } catch (error) {
      set({ error: error instanceof Error ? error.message : String(error) });
    }
  },
}));

// Another window (or the CLI) may change settings; every window follows.
api.events.settingsChanged((settings) => useSettings.setState({ settings }));
