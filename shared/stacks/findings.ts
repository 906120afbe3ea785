import { z } from 'zod';
import type { LocalizedText } from '../localized';

/** P1 service down, P2 partly degraded, P3 cosmetic or at risk (the runbooks' scale). */
export const severities = ['P1', 'P2', 'P3'] as const;
export type Severity = (typeof severities)[number];


/** The console feature that fixes a finding; the UI turns it into the action button. */
export const fixFeatures = ['license-wizard', 'staged-restart', 'rollback', 'host-keys', 'inventory', 'node-view', 'none'] as const;
export type FixFeature = (typeof fixFeatures)[number];

/** A rule's catalogue entry: the same text feeds the UI, the CLI and the README. */
export interface FindingRule {
  id: string;
  severity: Severity;
  /** One line; `{{name}}` placeholders are filled from the finding's params. */
  title: LocalizedText;
  /** Why it matters. */
  why: LocalizedText;
  /** What to do about it. */
  action: LocalizedText;
  fix: FixFeature;
}

export const findingSchema = z.object({
  /** Stable identity across rounds: rule, cluster and subject (so the UI can tell new from known). */
  key: z.string(),
  ruleId: z.string(),
  severity: z.enum(severities),
  cluster: z.string(),
  hosts: z.array(z.string()),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The raw output excerpt that shows it. */
  evidence: z.string(),
  fix: z.enum(fixFeatures),
});
export type Finding = z.infer<typeof findingSchema>;

const severityRank: Record<Severity, number> = { P1: 0, P2: 1, P3: 2 };

export function bySeverity(a: Finding, b: Finding): number {
  return severityRank[a.severity] - severityRank[b.severity] || a.ruleId.localeCompare(b.ruleId) || a.key.localeCompare(b.key);
}

export function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** Builds a finding of a catalogue rule about one subject (a host, a unit, a backend…) of a cluster. */
export function raise(
  rule: FindingRule,
  input: { cluster: string; subject: string; hosts: string[]; params?: Record<string, string | number>; evidence: string },
): Finding {
  return {
    key: `${rule.id}:${input.cluster}:${input.subject}`,
    ruleId: rule.id,
    severity: rule.severity,
    cluster: input.cluster,
    hosts: input.hosts,
    params: input.params ?? {},
    evidence: input.evidence,
    fix: rule.fix,
  };
}
