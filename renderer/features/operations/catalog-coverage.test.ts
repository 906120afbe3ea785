import { describe, expect, it } from 'vitest';
import { restartPolicySchema } from '../../../shared/contract/restart';
import { gateViewSchema, opStatusSchema, stepNextSchema, stepStateSchema, undoStatusSchema } from '../../../shared/ops/state';
import enOps from '../../i18n/locales/en/operations.json';
import zhOps from '../../i18n/locales/zh-CN/operations.json';
import enRestart from '../../i18n/locales/en/restart.json';
import zhRestart from '../../i18n/locales/zh-CN/restart.json';

/** Labels built from the contract's enums (`operations.status.${status}`…) exist for every value, in both languages. */
describe.each([
  ['en', enOps, enRestart],
  ['zh-CN', zhOps, zhRestart],
])('the %s catalog covers the operations vocabulary', (_name, { operations }, { restart }) => {
  const labels = (group: Record<string, string>, values: readonly string[]) => values.filter((value) => !group[value]);
  it('names every status, phase, gate state, undo state and next step', () => {
    expect(labels(operations.status, opStatusSchema.options)).toEqual([]);
    expect(labels(operations.stoppedAt, opStatusSchema.options)).toEqual([]);
    expect(labels(operations.stepStatus, stepStateSchema.shape.status.options)).toEqual([]);
    expect(labels(operations.phase, ['before', 'action', 'gate', 'undo'])).toEqual([]);
    expect(labels(operations.gateStatus, gateViewSchema.shape.status.options)).toEqual([]);
    expect(labels(operations.undoStatus, undoStatusSchema.options.filter((s) => s !== 'none' && s !== 'not-needed'))).toEqual([]);
    expect(labels(operations.does, stepNextSchema.shape.does.options)).toEqual([]);
    expect(labels(operations.notice, ['succeeded', 'failed', 'aborted', 'reverted'])).toEqual([]);
  });
  it('names every gate-failure policy', () => {
    const policies = restartPolicySchema.shape.onGateFailure.unwrap().options;
    expect(labels(operations.gateFailurePolicy, policies)).toEqual([]);
    expect(labels(restart.gateFailure, policies)).toEqual([]);
  });
});
