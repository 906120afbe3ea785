import { create } from 'zustand';
import type { ConnectionState } from '../api/ws-transport';

interface ConnectionStore {
  state: ConnectionState;
  tokenMissing: boolean;
  setState(state: ConnectionState, tokenMissing: boolean): void;
}

/** Browser mode's link to the main process; the Electron window is always 'open'. */
export const useConnection = create<ConnectionStore>((set) => ({
  state: 'open',
  tokenMissing: false,
  setState: (state, tokenMissing) => set({ state, tokenMissing }),
}));
