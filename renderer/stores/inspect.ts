import { api } from '../api/client';
import { createInspectStore } from '../features/inspect/inspect-store';
import { useSettings } from './settings';

/** The latest inspection round of every cluster this window has looked at. */
export const useInspect = createInspectStore(api.inspect);

// Rounds run on the interval, from the CLI or from another window arrive here too.
api.events.inspectUpdated((update) => useInspect.getState().receive(update));

// The interval lives in the settings (any window, any restart); the store mirrors it.
useSettings.subscribe((state) => {
  const seconds = state.settings?.inspectIntervalSeconds;
  if (seconds !== undefined && seconds !== useInspect.getState().intervalSeconds) useInspect.setState({ intervalSeconds: seconds });
});
