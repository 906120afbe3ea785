import type { Language } from '../../../../shared/localized';
import { findingCatalog } from '../../../../shared/stacks/catalog';
import { fillTemplate, type Finding } from '../../../../shared/stacks/findings';

export interface FindingText {
  title: string;
  why: string | undefined;
  action: string | undefined;
}

export function uiLanguage(language: string): Language {
  return language === 'zh-CN' ? 'zh-CN' : 'en';
}

/** A finding's catalogue text in the UI language, placeholders filled; a rule this build does not know shows its id. */
export function findingText(finding: Finding, language: Language): FindingText {
  const rule = findingCatalog.get(finding.ruleId);
  if (!rule) return { title: finding.ruleId, why: undefined, action: undefined };
  return {
    title: fillTemplate(rule.title[language], finding.params),
    why: fillTemplate(rule.why[language], finding.params),
    action: fillTemplate(rule.action[language], finding.params),
  };
}
