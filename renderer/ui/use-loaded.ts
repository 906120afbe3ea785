import { useCallback, useEffect, useState, type DependencyList } from 'react';
import { errorMessage } from './error-message';

export interface Loaded<T> {
  /** The last answer; kept on screen while a reload runs or after a reload failed. */
  value: T | undefined;
  /** Why the last load failed; cleared by the next answer. */
  error: string | undefined;
  /** The first load, or one asked for with `reload()`, is under way. */
  loading: boolean;
  /** Loads again (e.g. "Check again"). */
  reload(): void;
}

/**
 * A value read from the main process when `deps` change or on `reload()`. An answer that comes
 * back after the inputs changed (or the component went away) is dropped, so a slow first call
 * never overwrites a newer one.
 */
export function useLoaded<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);

  useEffect(() => {
    let current = true;
    load().then(
      (answer) => {
        if (!current) return;
        setValue(answer);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(errorMessage(failure));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // `load` is a new closure each render: what it reads is in the caller's `deps`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);

  const reload = useCallback(() => {
    setLoading(true);
    setRound((previous) => previous + 1);
  }, []);
  return { value, error, loading, reload };
}
