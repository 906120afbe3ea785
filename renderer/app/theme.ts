import { useEffect } from 'react';
import type { Settings } from '../../shared/contract';

/** Applies the chosen theme; 'system' tracks the OS setting live. */
export function useTheme(choice: Settings['theme'] | undefined): void {
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      const dark = choice === 'dark' || ((choice ?? 'system') === 'system' && media.matches);
      document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    };
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [choice]);
}
