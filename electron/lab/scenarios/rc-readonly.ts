import type { Scenario } from '../scenario';
import { buildRocketChatSystem } from '../systems/rocketchat';

/**
 * FIELD-NOTES §1: a 4-node Rocket.Chat 7.0 cluster behind HAProxy, air-gapped, without a valid
 * license, comes back from a restart with every node read-only, each by its own decision.
 * `licenses.add` with `licenses/valid.lic` lifts it on the node that received it; the others
 * stay read-only until they restart. One presence container runs an older tag.
 */
export const rcReadonlyScenario: Scenario = {
  name: 'rc-readonly',
  description: 'Rocket.Chat 7.0: 4 nodes + HAProxy + MongoDB + presence come back read-only after a restart (no valid license)',
  variants: {
    docker: 'the Rocket.Chat nodes run as Docker containers instead of systemd units',
  },
  build: async (context, options) => [
    await buildRocketChatSystem(context, {
      license: 'none',
      airGapDaysLeft: 0,
      restartNodesAtStart: true,
      presenceTags: ['7.0.0', '6.13.1'],
      writeLicenseSamples: true,
      runAs: options.variant === 'docker' ? 'docker' : 'systemd',
    }),
  ],
};
