import { describe, expect, it } from 'vitest';
import { hostStateSchema } from '../../../shared/contract/inspect';
import { fixFeatures } from '../../../shared/stacks/findings';
import en from '../../i18n/locales/en/inspect.json';
import zhCN from '../../i18n/locales/zh-CN/inspect.json';
import { roleCategories } from './model/node-rows';

/** Labels built from enums (`inspect.status.${status}`, `inspect.fix.${feature}`…) exist for every value, in both languages. */
describe.each([
  ['en', en],
  ['zh-CN', zhCN],
])('the %s catalog covers the inspect vocabulary', (_name, catalog) => {
  const { inspect } = catalog;
  it('names every role group and node status', () => {
    for (const category of roleCategories) expect(inspect.categories[category]).toBeTruthy();
    for (const status of hostStateSchema.shape.status.options) expect(inspect.status[status]).toBeTruthy();
  });
  it('names the action of every fix feature', () => {
    for (const feature of fixFeatures.filter((f) => f !== 'none')) expect(inspect.fix[feature]).toBeTruthy();
  });
});
