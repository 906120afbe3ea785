import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allProfiles, findingCatalog } from '../catalog';
import { renderFindingsMarkdown } from './findings-doc';

const readmeUrl = new URL('../../../README.md', import.meta.url);
const BEGIN = '<!-- findings:begin -->\n';
const END = '<!-- findings:end -->';

function readmeBlock(readme: string): { before: string; block: string; after: string } {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README.md has no findings:begin / findings:end markers');
  return { before: readme.slice(0, start + BEGIN.length), block: readme.slice(start + BEGIN.length, end), after: readme.slice(end) };
}

describe("the README's findings catalogue", () => {
  it('is what the catalogue renders to (UPDATE_FINDINGS_DOC=1 rewrites it)', () => {
    const rendered = renderFindingsMarkdown(allProfiles);
    const readme = readFileSync(readmeUrl, 'utf8');
    const parts = readmeBlock(readme);
    if (process.env.UPDATE_FINDINGS_DOC === '1') writeFileSync(readmeUrl, parts.before + rendered + parts.after);
    expect(
      readmeBlock(readFileSync(readmeUrl, 'utf8')).block,
      'The README findings catalogue is out of date: run UPDATE_FINDINGS_DOC=1 npx vitest run --config build/vitest.config.ts shared/stacks/profiles/findings-doc.test.ts',
    ).toBe(rendered);
  });

  it('documents every rule with its severity and fix', () => {
    const rendered = renderFindingsMarkdown(allProfiles);
    for (const rule of findingCatalog.values()) expect(rendered).toContain(`\`${rule.id}\` | ${rule.severity} |`);
    expect(rendered).toContain('‹host›');
    expect(rendered).not.toContain('{{');
  });
});
