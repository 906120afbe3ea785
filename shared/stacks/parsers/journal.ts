import { detectProbeFailure } from './failure';
import { ok, unknown, type Parsed } from './result';
import { decodeUtf8, isRecord, parseCount, splitLines, tryParseJson } from './text';

export interface JournalEntry {
  /** `__REALTIME_TIMESTAMP`: microseconds since the epoch, as printed (exceeds 2^53 in µs). */
  realtimeUs: string;
  /** The same in milliseconds (precise enough for display and ordering). */
  timeMs: number;
  /** Absent when journalctl left the field out (`null`: longer than its field limit). */
  message?: string;
  /** True when `MESSAGE` was `null` in the JSON. */
  messageOmitted: boolean;
  /** True when `MESSAGE` came as bytes (not valid text); `message` then holds it decoded. */
  messageWasBinary: boolean;
  /** syslog priority 0 (emerg) … 7 (debug). */
  priority?: number;
  unit?: string;
  identifier?: string;
  pid?: number;
  hostname?: string;
  cursor?: string;
}

export interface JournalJson {
  entries: JournalEntry[];
  /** The last line was cut off and left out. */
  truncated: boolean;
}

// journalctl's own notices, printed instead of (or besides) entries.
const noJournal = /^No journal files were found\.?$/m;
const ignorableNotice = /^(?:-- No entries --|Hint: .*|\s*Users in groups .*|\s*Pass -q to turn off this notice\.)$/;

/** `journalctl -o json`: one JSON object per line. */
export function parseJournalJson(text: string, exitCode?: number): Parsed<JournalJson> {
  if (noJournal.test(text)) return unknown('No journal files were found', text);
  const lines = splitLines(text);
  const entries: JournalEntry[] = [];
  let truncated = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.trim() === '' || ignorableNotice.test(line)) continue;
    const parsed = line.trimStart().startsWith('{') ? tryParseJson(line) : undefined;
    if (parsed === undefined) {
      const isLast = index === lines.length - 1;
      if (isLast && line.trimStart().startsWith('{')) {
        truncated = true;
        continue;
      }
      return unknown(detectProbeFailure(text, exitCode) ?? `not a journal JSON line: ${line.slice(0, 80)}`, text);
    }
    const entry = toJournalEntry(parsed.value);
    if (entry === undefined) return unknown('journal JSON line without __REALTIME_TIMESTAMP', text);
    entries.push(entry);
  }
  if (entries.length === 0 && exitCode !== undefined && exitCode !== 0) {
    return unknown(detectProbeFailure(text, exitCode) ?? `journalctl exited with ${exitCode}`, text);
  }
  return ok({ entries, truncated });
}

function toJournalEntry(value: unknown): JournalEntry | undefined {
  if (!isRecord(value)) return undefined;
  const realtimeUs = fieldText(value.__REALTIME_TIMESTAMP);
  if (realtimeUs === undefined || !/^\d+$/.test(realtimeUs)) return undefined;
  const raw = value.MESSAGE;
  const entry: JournalEntry = {
    realtimeUs,
    timeMs: Math.floor(Number(realtimeUs) / 1000),
    messageOmitted: raw === null,
    messageWasBinary: isByteArray(raw) || (Array.isArray(raw) && raw.some(isByteArray)),
  };
  const message = fieldText(raw);
  if (message !== undefined) entry.message = message;
  const priority = parseCount(fieldText(value.PRIORITY));
  if (priority !== undefined && priority <= 7) entry.priority = priority;
  const unit = fieldText(value._SYSTEMD_UNIT) ?? fieldText(value._SYSTEMD_USER_UNIT) ?? fieldText(value.UNIT);
  if (unit !== undefined) entry.unit = unit;
  const identifier = fieldText(value.SYSLOG_IDENTIFIER) ?? fieldText(value._COMM);
  if (identifier !== undefined) entry.identifier = identifier;
  const pid = parseCount(fieldText(value._PID));
  if (pid !== undefined) entry.pid = pid;
  const hostname = fieldText(value._HOSTNAME);
  if (hostname !== undefined) entry.hostname = hostname;
  const cursor = fieldText(value.__CURSOR);
  if (cursor !== undefined) entry.cursor = cursor;
  return entry;
}

function isByteArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => Number.isInteger(item) && item >= 0 && item <= 255);
}

/**
 * A journal field as text. journalctl prints a field as a string, as an array of bytes when it
 * is not valid UTF-8 or has control characters, as null when it is too long, and as an array
 * of such values when the field repeats.
 */
function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isByteArray(value) && value.length > 0) return decodeUtf8(value);
  if (Array.isArray(value)) {
    const parts = value.map(fieldText).filter((part): part is string => part !== undefined);
    return parts.length > 0 ? parts.join('\n') : undefined;
  }
  return undefined;
}

export interface JournalLine {
  /** As printed: `Nov 26 00:26:32` (short) or `2026-11-26T00:26:32+0000` (short-iso). */
  timestamp: string;
  host: string;
  identifier: string;
  pid?: number;
  message: string;
}

const shortLine =
  /^((?:[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2})|(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2}))) (\S+) ([^\s[]+?)(?:\[(\d+)\])?: ?(.*)$/;
const boundary = /^-- (?:Boot [0-9a-f]+|Logs begin at .*|Journal begins at .*|Reboot) --$/;

/** `journalctl -n N` in the default short format (or short-iso). */
export function parseJournalShort(text: string, exitCode?: number): Parsed<JournalLine[]> {
  if (noJournal.test(text)) return unknown('No journal files were found', text);
  const lines: JournalLine[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '' || boundary.test(line) || ignorableNotice.test(line)) continue;
    const match = shortLine.exec(line);
    if (match !== null) {
      const entry: JournalLine = { timestamp: match[1]!, host: match[2]!, identifier: match[3]!, message: match[5]! };
      const pid = parseCount(match[4]);
      if (pid !== undefined) entry.pid = pid;
      lines.push(entry);
      continue;
    }
    const previous = lines[lines.length - 1];
    if (previous !== undefined && /^\s/.test(line)) {
      // journalctl indents the further lines of a multi-line message.
      previous.message += `\n${line.trim()}`;
      continue;
    }
    return unknown(detectProbeFailure(text, exitCode) ?? `not a journal line: ${line.slice(0, 80)}`, text);
  }
  if (lines.length === 0 && exitCode !== undefined && exitCode !== 0) {
    return unknown(detectProbeFailure(text, exitCode) ?? `journalctl exited with ${exitCode}`, text);
  }
  return ok(lines);
}
