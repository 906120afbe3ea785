import { api } from '../api/client';
import { createInspectStore } from '../features/inspect/inspect-store';

/** The latest inspection round of every cluster this window has looked at. */
export const useInspect = createInspectStore(api.inspect);

// Rounds run on the interval, from the CLI or from another window arrive here too.
api.events.inspectUpdated((update) => useInspect.getState().receive(update));
