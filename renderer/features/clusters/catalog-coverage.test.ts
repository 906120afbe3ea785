import { describe, expect, it } from 'vitest';
import { secretStoreStatusSchema } from '../../../shared/contract/inventory';
import { inventoryFormats } from '../../../shared/inventory/import-proposal';
import { authMethods, environments, stacks } from '../../../shared/inventory/schema';
import en from '../../i18n/locales/en/inventory.json';
import zhCN from '../../i18n/locales/zh-CN/inventory.json';

/** Labels built from the inventory's enums (`inventory.environments.${env}`) exist for every value, in both languages. */
describe.each([
  ['en', en],
  ['zh-CN', zhCN],
])('the %s catalog covers the inventory vocabulary', (_name, catalog) => {
  const { inventory } = catalog;
  it('names every environment, login method and import format', () => {
    for (const environment of environments) expect(inventory.environments[environment]).toBeTruthy();
    for (const method of authMethods) expect(inventory.auth[method]).toBeTruthy();
    for (const format of inventoryFormats) expect(inventory.import.formats[format]).toBeTruthy();
  });
  it('names every stack that is not a product name', () => {
    const productNames = ['rocketchat', 'wukongim', 'vernemq', 'voms'];
    for (const stack of stacks.filter((s) => !productNames.includes(s))) {
      expect(inventory.stacks[stack as keyof typeof inventory.stacks]).toBeTruthy();
    }
  });
  it('names every state of the secret store and the action it offers', () => {
    for (const state of secretStoreStatusSchema.shape.state.options) {
      expect(inventory.vault.state[state]).toBeTruthy();
      if (state !== 'unavailable') expect(inventory.vault.action[state]).toBeTruthy();
    }
  });
});
