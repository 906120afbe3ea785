import { describe, expect, it } from 'vitest';
import { applyMethodSchema, licenseCheckItemSchema, licenseSummarySchema, nodeLicenseStateSchema, nodeVerificationSchema } from '../../../shared/contract/license';
import en from '../../i18n/locales/en/license.json';
import zh from '../../i18n/locales/zh-CN/license.json';

/** Labels built from the contract's enums (`license.state.${state}`…) exist for every value, in both languages. */
describe.each([
  ['en', en],
  ['zh-CN', zh],
])('the %s catalog covers the license vocabulary', (_name, { license }) => {
  const missing = (group: Record<string, unknown>, values: readonly string[]) => values.filter((value) => typeof group[value] !== 'string');
  it('names every node state, node license, license type and method', () => {
    expect(missing(license.state, nodeLicenseStateSchema.options)).toEqual([]);
    expect(missing(license.nodeLicense, nodeVerificationSchema.shape.license.options)).toEqual([]);
    const types = licenseSummarySchema.options.flatMap((option) => ('type' in option.shape ? option.shape.type.options : []));
    expect(types.length).toBeGreaterThan(0);
    expect(missing(license.type, types)).toEqual([]);
    expect(missing(license.method, applyMethodSchema.options)).toEqual([]);
    expect(missing(license.method.explain, applyMethodSchema.options)).toEqual([]);
  });
  it('names every check level, with its count', () => {
    const levels = licenseCheckItemSchema.shape.level.options;
    expect(missing(license.level, levels.flatMap((level) => [`${level}_one`, `${level}_other`]))).toEqual([]);
  });
  it('has a line for every step of "what will happen"', () => {
    const plain = ['backup', 'backupNone', 'backupStored', 'applyRest', 'wait', 'revertRest', 'filePut', 'fileRestore', 'fileRemove', 'fileRestart'];
    const counted = ['applyMongo', 'verify', 'revertMongo', 'revertEmpty', 'fileBackup', 'fileVerify'].flatMap((key) => [`${key}_one`, `${key}_other`]);
    expect(missing(license.plan, [...plain, ...counted])).toEqual([]);
  });
});
