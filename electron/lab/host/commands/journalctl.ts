import { normalizeUnitName } from '../services';
import type { CommandContext, CommandRegistry } from '../shell';
import type { JournalEntry } from '../journal';
import { getopt, has, usageError, value, values } from './util';

/** `journalctl` over the host's journal (systemd 252 output modes short, short-iso, short-precise, json, cat). */
export function registerJournalctl(registry: CommandRegistry): void {
  registry.register('journalctl', journalctl);
}

const priorities = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

function priorityLevel(text: string): number | undefined {
  if (/^[0-7]$/.test(text)) return Number(text);
  const index = priorities.indexOf(text);
  return index < 0 ? undefined : index;
}

function journalctl(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'qxebrfa',
    values: 'unop',
    longFlags: ['no-pager', 'quiet', 'catalog', 'pager-end', 'reverse', 'follow', 'no-hostname', 'utc', 'all', 'boot', 'full', 'system'],
    longValues: ['unit', 'lines', 'output', 'since', 'until', 'priority', 'identifier'],
  });
  if (parsed.error) return usageError(ctx, 'journalctl', parsed.error);
  if (has(parsed, 'f', 'follow')) {
    ctx.stderr.write('journalctl: following the journal (-f) is not supported by the lab\n');
    return 1;
  }
  const output = value(parsed, 'o', 'output') ?? 'short';
  if (!['short', 'short-iso', 'short-precise', 'json', 'cat'].includes(output)) {
    ctx.stderr.write(`Unknown output format '${output}'.\n`);
    return 1;
  }
  const linesText = value(parsed, 'n', 'lines') ?? (has(parsed, 'e', 'pager-end') ? '1000' : undefined);
  const lines = linesText === undefined || linesText === 'all' ? undefined : Number(linesText.replace(/^\+/, ''));
  if (lines !== undefined && !Number.isInteger(lines)) {
    ctx.stderr.write(`Failed to parse lines '${linesText}'\n`);
    return 1;
  }
  const since = value(parsed, 'since');
  const until = value(parsed, 'until');
  const sinceMs = since === undefined ? undefined : parseTimestamp(ctx, since);
  const untilMs = until === undefined ? undefined : parseTimestamp(ctx, until);
  if (sinceMs === null || untilMs === null) {
    ctx.stderr.write(`Failed to parse timestamp: ${sinceMs === null ? since : until}\n`);
    return 1;
  }
  const priorityText = value(parsed, 'p', 'priority');
  let maxPriority: number | undefined;
  if (priorityText !== undefined) {
    const [low, high] = priorityText.split('..');
    maxPriority = priorityLevel(high ?? low!);
    if (maxPriority === undefined) {
      ctx.stderr.write(`Failed to parse priority value: ${priorityText}\n`);
      return 1;
    }
  }

  const privileged = ctx.cred.uid === 0 || ctx.host.accounts.inGroup(ctx.cred, 'adm') || ctx.host.accounts.inGroup(ctx.cred, 'systemd-journal');
  if (!privileged && !has(parsed, 'q', 'quiet')) {
    ctx.stderr.write(
      'Hint: You are currently not seeing messages from other users and the system.\n' +
      "      Users in groups 'adm', 'systemd-journal' can see all messages.\n" +
      '      Pass -q to turn off this notice.\n',
    );
  }
  const units = values(parsed, 'u', 'unit').map(normalizeUnitName);
  const identifiers = values(parsed, 'identifier');
  let entries: JournalEntry[] = privileged
    ? ctx.host.journal.query({ units, sinceMs: sinceMs ?? undefined, untilMs: untilMs ?? undefined })
    : [];
  if (maxPriority !== undefined) entries = entries.filter((e) => e.priority <= maxPriority!);
  if (identifiers.length > 0) entries = entries.filter((e) => identifiers.includes(e.identifier));
  if (lines !== undefined) entries = lines <= 0 ? [] : entries.slice(-lines);
  if (has(parsed, 'r', 'reverse')) entries = [...entries].reverse();

  const journal = ctx.host.journal;
  if (entries.length === 0) {
    if (output !== 'json' && output !== 'cat' && !has(parsed, 'q', 'quiet')) ctx.stdout.write('-- No entries --\n');
    return 0;
  }
  const render = (entry: JournalEntry): string => {
    switch (output) {
      case 'json':
        return journal.formatJson(entry);
      case 'cat':
        return entry.message;
      case 'short-iso':
        return journal.formatShortIso(entry);
      case 'short-precise': {
        const short = journal.formatShort(entry);
        const micros = String(entry.realtimeUs % 1_000_000).padStart(6, '0');
        return `${short.slice(0, 15)}.${micros}${short.slice(15)}`;
      }
      default:
        return journal.formatShort(entry);
    }
  };
  ctx.stdout.write(entries.map((entry) => `${render(entry)}\n`).join(''));
  return 0;
}

/**
 * systemd's timestamp syntax as `--since`/`--until` take it: `2026-11-26 10:15:02`,
 * `2026-11-26`, `10:15`, `today`, `yesterday`, `now`, `-5min`, `5 min ago`, `@1700000000`.
 * Host-local times; null when unparseable.
 */
export function parseTimestamp(ctx: CommandContext, text: string): number | null {
  const clock = ctx.host.clock;
  const now = clock.now();
  const offsetMs = clock.timezone.offsetMinutes * 60_000;
  const localMidnight = Math.floor((now + offsetMs) / 86_400_000) * 86_400_000 - offsetMs;
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  if (trimmed === 'today') return localMidnight;
  if (trimmed === 'yesterday') return localMidnight - 86_400_000;
  if (trimmed === 'tomorrow') return localMidnight + 86_400_000;
  if (trimmed.startsWith('@')) {
    const seconds = Number(trimmed.slice(1));
    return Number.isNaN(seconds) ? null : seconds * 1000;
  }
  const relative = /^([+-]?)(\d+)\s*(us|ms|s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?)(\s+ago)?$/.exec(trimmed);
  if (relative) {
    const unit = relative[3]!;
    const factor = unit.startsWith('us') ? 0.001 : unit === 'ms' ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000
      : unit.startsWith('h') ? 3_600_000 : unit.startsWith('d') ? 86_400_000 : 604_800_000;
    const amount = Number(relative[2]) * factor;
    const past = relative[1] === '-' || relative[4] !== undefined;
    if (!past && relative[1] !== '+') return null;
    return past ? now - amount : now + amount;
  }
  const absolute = /^(?:(\d{4})-(\d{2})-(\d{2}))?(?:[ T]?(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
  if (absolute && (absolute[1] !== undefined || absolute[4] !== undefined)) {
    const [, year, month, day, hours = '0', minutes = '0', seconds = '0'] = absolute;
    const base = year === undefined
      ? localMidnight + offsetMs
      : Date.UTC(Number(year), Number(month) - 1, Number(day));
    return base + (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000 - offsetMs;
  }
  return null;
}
