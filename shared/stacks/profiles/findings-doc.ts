import type { Stack } from '../../inventory/schema';
import type { FixFeature } from '../findings';
import type { StackProfile } from '../profile';

/**
 * The findings catalogue as Markdown, for the README's "Findings catalogue" section. Generated
 * from the catalogue itself (a test compares it with the block between the README's
 * `findings:begin` and `findings:end` markers), so the documentation cannot drift from what
 * the console raises.
 */

const stackTitles: Record<Stack, string> = {
  generic: 'Every host',
  rocketchat: 'Rocket.Chat, HAProxy and MongoDB',
  presence: 'Rocket.Chat presence service',
  wukongim: 'WuKongIM',
  vernemq: 'VerneMQ',
  voms: 'VOMS stack (server, workers, PostgreSQL, Redis, NATS, Caddy)',
};

const fixTitles: Record<FixFeature, string> = {
  'license-wizard': 'License wizard',
  'staged-restart': 'Staged restart',
  rollback: 'OTA rollback',
  'host-keys': 'Host keys',
  inventory: 'Inventory editor',
  'node-view': 'Node view',
  none: 'by hand',
};

/** A table cell: pipes escaped, `{{param}}` placeholders shown as ‹param›. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\{\{(\w+)\}\}/g, '‹$1›').replace(/\n/g, ' ');
}

export function renderFindingsMarkdown(profiles: readonly StackProfile[]): string {
  const lines = [
    '<!-- Generated from shared/stacks/catalog.ts by shared/stacks/profiles/findings-doc.ts; do not edit by hand.',
    '     Regenerate: UPDATE_FINDINGS_DOC=1 npx vitest run --config build/vitest.config.ts shared/stacks/profiles/findings-doc.test.ts -->',
    '',
    'Severities: **P1** service down, **P2** partly degraded, **P3** cosmetic or at risk.',
    '‹name› stands for a value filled in from the finding (a host, a unit, a version…).',
    'Every finding also carries its evidence: the excerpt of the raw output that shows it.',
  ];
  for (const profile of profiles) {
    lines.push('', `#### ${stackTitles[profile.stack]}`, '', '| Finding | Severity | Why it matters | What to do | Fixed with |', '|---|---|---|---|---|');
    for (const rule of profile.catalog) {
      lines.push(
        `| ${cell(rule.title.en)}<br>\`${rule.id}\` | ${rule.severity} | ${cell(rule.why.en)} | ${cell(rule.action.en)} | ${fixTitles[rule.fix]} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
