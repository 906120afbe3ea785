import type { SshLogEntryItem } from '../../../shared/contract';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const satisfies readonly SshLogEntryItem['level'][];
export type LogLevel = (typeof logLevels)[number];

/** How many entries the viewer keeps (the main process keeps fewer; this only bounds a long session). */
export const LOG_CAP = 5000;

/** Appends newer entries (oldest first, as the main process sends them), keeping the newest `cap`. */
export function appendLog(entries: readonly SshLogEntryItem[], incoming: readonly SshLogEntryItem[], cap = LOG_CAP): SshLogEntryItem[] {
  const last = entries.at(-1)?.seq ?? 0;
  const merged = [...entries, ...incoming.filter((entry) => entry.seq > last)];
  return merged.length > cap ? merged.slice(merged.length - cap) : merged;
}

/** The entries at or above `minLevel` that contain `text` (any case) in their event, target or message; newest first. */
export function filterLog(entries: readonly SshLogEntryItem[], minLevel: LogLevel, text: string): SshLogEntryItem[] {
  const floor = logLevels.indexOf(minLevel);
  const needle = text.trim().toLowerCase();
  const shown: SshLogEntryItem[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (logLevels.indexOf(entry.level) < floor) continue;
    if (needle && !`${entry.event} ${entry.target ?? ''} ${entry.message}`.toLowerCase().includes(needle)) continue;
    shown.push(entry);
  }
  return shown;
}
