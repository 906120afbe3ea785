import { describe, expect, it } from 'vitest';
import { authPromptSchema } from '../../../shared/contract';
import en from '../../i18n/locales/en/ssh.json';
import zhCN from '../../i18n/locales/zh-CN/ssh.json';
import { logLevels } from './log-view';

/** Labels built from the contract's enums (`ssh.prompt.title.${kind}`, `ssh.log.levels.${level}`) exist in both languages. */
describe.each([
  ['en', en],
  ['zh-CN', zhCN],
])('the %s SSH catalog', (_name, { ssh }) => {
  it('titles every kind of authentication question', () => {
    for (const kind of authPromptSchema.shape.kind.options) expect(ssh.prompt.title[kind]).toBeTruthy();
  });
  it('names every log level and its filter', () => {
    for (const level of logLevels) {
      expect(ssh.log.levels[level]).toBeTruthy();
      expect(ssh.log.atLeast[level]).toBeTruthy();
    }
  });
  it('keeps the code markup and placeholders the components fill', () => {
    expect(ssh.keys.explain).toContain('<code>{{command}}</code>');
    expect(ssh.replace.warning).toContain('<code>{{command}}</code>');
    expect(ssh.replace.typeTail).toContain('{{n}}');
  });
});
