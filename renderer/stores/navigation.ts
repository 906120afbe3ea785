import { create } from 'zustand';

export const sections = ['clusters', 'operations', 'activity', 'settings'] as const;
export type Section = (typeof sections)[number];

interface NavigationStore {
  section: Section;
  go(section: Section): void;
}

export const useNavigation = create<NavigationStore>((set) => ({
  section: 'clusters',
  go: (section) => set({ section }),
}));
