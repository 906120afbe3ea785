import type { HostDetail } from '../../../../shared/contract/inspect';

export interface LogSource {
  id: string;
  lines: string[];
  /** Why the lines could not be read, when the parser said "unknown". */
  problem: string | undefined;
}

/** The node's log probes (ids containing "log"): parsed lines where the probe understood them, else the raw output. */
export function logSources(detail: HostDetail): LogSource[] {
  return Object.keys(detail.raw)
    .filter((id) => id.includes('log'))
    .sort()
    .map((id) => {
      const fact = detail.facts[id];
      const parsed = fact?.status === 'ok' ? (fact.value as { lines?: unknown }).lines : undefined;
      if (Array.isArray(parsed) && parsed.every((line) => typeof line === 'string')) return { id, lines: parsed as string[], problem: undefined };
      const raw = (detail.raw[id]?.output ?? '').trimEnd();
      return { id, lines: raw === '' ? [] : raw.split(/\r?\n/), problem: fact?.status === 'unknown' ? fact.reason : undefined };
    });
}
