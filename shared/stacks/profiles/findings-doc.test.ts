import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allProfiles, findingCatalog } from '../catalog';
import { renderFindingsMarkdown } from './findings-doc';

const docUrl = new URL('./README-findings.md', import.meta.url);

describe('README-findings.md', () => {
  it('is what the catalogue renders to (UPDATE_FINDINGS_DOC=1 rewrites it)', () => {
    const rendered = renderFindingsMarkdown(allProfiles);
    if (process.env.UPDATE_FINDINGS_DOC === '1') writeFileSync(docUrl, rendered);
    expect(readFileSync(docUrl, 'utf8'), 'README-findings.md is out of date: run UPDATE_FINDINGS_DOC=1 npx vitest run --config build/vitest.config.ts shared/stacks/profiles/findings-doc.test.ts').toBe(rendered);
  });

  it('documents every rule with its severity and fix', () => {
    const rendered = renderFindingsMarkdown(allProfiles);
    for (const rule of findingCatalog.values()) expect(rendered).toContain(`\`${rule.id}\` | ${rule.severity} |`);
    expect(rendered).toContain('‹host›');
    expect(rendered).not.toContain('{{');
  });
});
