import { create } from 'zustand';

interface LicenseWizardStore {
  /** The cluster whose wizard is open (undefined: closed). */
  cluster: string | undefined;
  open(cluster: string): void;
  close(): void;
}

/**
 * Which license wizard is open. The wizard outlives the button that opened it: a finding's
 * fix button disappears with the finding once the license is applied, while the wizard must
 * stay to verify and restart the nodes.
 */
export const useLicenseWizard = create<LicenseWizardStore>((set) => ({
  cluster: undefined,
  open: (cluster) => set({ cluster }),
  close: () => set({ cluster: undefined }),
}));
