import type { Scenario } from '../scenario';
import { buildRocketChatSystem } from '../systems/rocketchat';
import { buildVernemq } from '../systems/vernemq';
import { buildVoms } from '../systems/voms';
import { buildWukongim } from '../systems/wukongim';

/**
 * The control case and the demo: all four systems up and consistent. Rocket.Chat has a valid
 * lab license on every node, both presence containers run Rocket.Chat's tag and HAProxy sees
 * every node UP; WuKongIM's three nodes share one configuration; VerneMQ's three nodes form
 * one cluster without the bridge; VOMS runs its good build with every unit active.
 */
export const healthyScenario: Scenario = {
  name: 'healthy',
  description: 'All four systems (Rocket.Chat, WuKongIM, VerneMQ, VOMS) up and consistent, for demos and as the control case',
  build: async (context) => [
    await buildRocketChatSystem(context, { license: 'valid', presenceTags: ['7.0.0', '7.0.0'] }),
    await buildWukongim(context, { state: 'healthy' }),
    await buildVernemq(context, { state: 'healthy' }),
    await buildVoms(context, { ota: 'none', backup: 'good' }),
  ],
};
