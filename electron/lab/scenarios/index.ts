import type { Scenario } from '../scenario';
import { healthyScenario } from './healthy';
import { rcReadonlyScenario } from './rc-readonly';
import { vernemqNonemptyScenario } from './vernemq-nonempty';
import { vomsBadOtaScenario } from './voms-bad-ota';
import { wukongimSplitScenario } from './wukongim-split';

/**
 * Every lab scenario, in the order `switchboard lab scenarios` lists them. To add one: import it
 * here and add it to the list (one import, one entry).
 */
export const scenarios: readonly Scenario[] = [
  healthyScenario,
  rcReadonlyScenario,
  wukongimSplitScenario,
  vernemqNonemptyScenario,
  vomsBadOtaScenario,
];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.name === name);
}
