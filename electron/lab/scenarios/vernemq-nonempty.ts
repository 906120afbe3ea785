import type { Scenario } from '../scenario';
import { buildVernemq } from '../systems/vernemq';

/** vernemq #2350 (FIELD-NOTES §3), simulated: see systems/README-systems.md. */
export const vernemqNonemptyScenario: Scenario = {
  name: 'vernemq-nonempty',
  description:
    'VerneMQ 2.0, 3 nodes: the third booted with the bridge plugin on, so its join is refused (non_empty_node) until the bridge waits for the join',
  build: async (context) => [await buildVernemq(context, { state: 'nonempty' })],
};
