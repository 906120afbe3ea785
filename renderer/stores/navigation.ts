import { create } from 'zustand';

export const sections = ['clusters', 'operations', 'activity', 'settings'] as const;
export type Section = (typeof sections)[number];

interface NavigationStore {
  section: Section;
  /** The cluster whose overview is open in the Clusters section (undefined: the list). */
  cluster: string | undefined;
  /** The node open in that cluster's overview (undefined: the overview itself). */
  host: string | undefined;
  /** The operation open in the Operations section (undefined: the list). */
  operation: string | undefined;
  /** Switches section and leaves any open cluster, so the sidebar always lands on a section's start. */
  go(section: Section): void;
  openCluster(cluster: string): void;
  openHost(cluster: string, host: string): void;
  closeHost(): void;
  openOperation(opId: string): void;
}

export const useNavigation = create<NavigationStore>((set) => ({
  section: 'clusters',
  cluster: undefined,
  host: undefined,
  operation: undefined,
  go: (section) => set({ section, cluster: undefined, host: undefined, operation: undefined }),
  openCluster: (cluster) => set({ section: 'clusters', cluster, host: undefined, operation: undefined }),
  openHost: (cluster, host) => set({ section: 'clusters', cluster, host, operation: undefined }),
  closeHost: () => set({ host: undefined }),
  openOperation: (opId) => set({ section: 'operations', cluster: undefined, host: undefined, operation: opId }),
}));
