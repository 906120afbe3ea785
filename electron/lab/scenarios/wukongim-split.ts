import type { Scenario } from '../scenario';
import { buildWukongim } from '../systems/wukongim';

/** WuKongIM issue #310 (FIELD-NOTES §2), simulated: see systems/README-systems.md. */
export const wukongimSplitScenario: Scenario = {
  name: 'wukongim-split',
  description:
    'WuKongIM 1001-1003 after a half-finished upgrade to v2.1.2: 1001 sees only itself until the nodes are restarted in order, 1001 first',
  build: async (context) => [await buildWukongim(context, { state: 'split' })],
};
