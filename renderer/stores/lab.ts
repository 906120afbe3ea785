import { create } from 'zustand';
import type { LabStatus } from '../../shared/contract/lab';
import { api } from '../api/client';
import { errorMessage } from '../ui/error-message';

interface Scenario {
  name: string;
  description: string;
  variants: Record<string, string>;
}

interface LabStore {
  scenarios: Scenario[];
  status: LabStatus;
  busy: boolean;
  error: string | undefined;
  load(): Promise<void>;
  start(scenario: string, variant: string | undefined, timeScale: number): Promise<void>;
  stop(): Promise<void>;
}

/** The rehearsal lab (a simulation) as the main process runs it. */
export const useLab = create<LabStore>((set) => {
  const act = async (work: () => Promise<LabStatus>) => {
    set({ busy: true, error: undefined });
    try {
      set({ status: await work(), busy: false });
    } catch (error) {
      set({ busy: false, error: errorMessage(error) });
    }
  };
  return {
    scenarios: [],
    status: { running: null },
    busy: false,
    error: undefined,
    async load() {
      try {
        const [scenarios, status] = await Promise.all([api.lab.scenarios({}), api.lab.status({})]);
        set({ scenarios, status });
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },
    start: (scenario, variant, timeScale) => act(() => api.lab.start({ scenario, ...(variant ? { variant } : {}), timeScale })),
    stop: () => act(() => api.lab.stop({})),
  };
});

api.events.labChanged((status) => useLab.setState({ status }));
