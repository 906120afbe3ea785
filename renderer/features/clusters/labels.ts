import type { TFunction } from 'i18next';
import type { Stack } from '../../../shared/inventory/schema';

/** Product names stay as their makers write them, in every language. */
const productNames: Partial<Record<Stack, string>> = {
  rocketchat: 'Rocket.Chat',
  wukongim: 'WuKongIM',
  vernemq: 'VerneMQ',
  voms: 'VOMS',
};

export function stackLabel(stack: Stack, t: TFunction): string {
  return productNames[stack] ?? t(`inventory.stacks.${stack}`);
}
