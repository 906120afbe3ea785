import type { Finding, FindingRule } from '../../shared/stacks/findings';
import { fillTemplate } from '../../shared/stacks/findings';

/** A plain text table: columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** A finding as the CLI prints it (English): severity, title, why, what to do, evidence. */
export function formatFinding(finding: Finding, rule: FindingRule | undefined): string {
  const title = rule ? fillTemplate(rule.title.en, finding.params) : finding.ruleId;
  const lines = [`${finding.severity}  ${title}  [${finding.ruleId}]`];
  if (finding.hosts.length > 0) lines.push(`    Hosts: ${finding.hosts.join(', ')}`);
  if (rule) {
    lines.push(`    Why:   ${fillTemplate(rule.why.en, finding.params)}`);
    lines.push(`    Do:    ${fillTemplate(rule.action.en, finding.params)}`);
  }
  if (finding.evidence) lines.push('    Evidence:', indent(finding.evidence, '      | '));
  return lines.join('\n');
}
