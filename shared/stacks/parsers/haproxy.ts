import { detectProbeFailure, looksLikeHtml } from './failure';
import { ok, unknown, type Parsed } from './result';
import { parseCount, splitLines } from './text';

export type HaproxyRowKind = 'frontend' | 'backend' | 'server' | 'listener';

/** The operational state in the `status` column, without the check-progress suffix. */
export type HaproxyBaseState = 'UP' | 'DOWN' | 'NOLB' | 'MAINT' | 'DRAIN' | 'OPEN' | 'STOP' | 'FULL' | 'WAITING' | 'NO CHECK';

export interface HaproxyStatus {
  /** As printed, e.g. `UP 1/3`, `MAINT (via rocketchat/rc4)`, `no check`. */
  raw: string;
  /** Undefined when HAProxy printed something this parser does not know. */
  base?: HaproxyBaseState;
  /**
   * A server between states: `UP 1/3` is up but failing checks (1 of the 3 needed to go down),
   * `DOWN 1/2` is down and passing checks.
   */
  transition?: { step: number; of: number; towards: 'UP' | 'DOWN' };
  /** `MAINT (via backend/server)`: state inherited from a tracked server. */
  via?: string;
  /** Other text in parentheses, e.g. `agent` or `resolution`. */
  detail?: string;
}

export interface HaproxyStatRow {
  proxy: string;
  server: string;
  kind: HaproxyRowKind;
  status: HaproxyStatus;
  weight?: number;
  /** `scur`: current sessions. */
  sessions?: number;
  checkStatus?: string;
  /** `lastchg`: seconds since the last UP/DOWN transition. */
  lastChangeSeconds?: number;
  /** The numeric `type` column: 0 frontend, 1 backend, 2 server, 3 listener. */
  type?: number;
  /** Every column by header name (the `-` separator column left out). */
  columns: Record<string, string>;
}

const baseStates: readonly HaproxyBaseState[] = ['UP', 'DOWN', 'NOLB', 'MAINT', 'DRAIN', 'OPEN', 'STOP', 'FULL', 'WAITING', 'NO CHECK'];
const kindByType: Record<number, HaproxyRowKind> = { 0: 'frontend', 1: 'backend', 2: 'server', 3: 'listener' };

/**
 * `show stat` on the runtime API (or the stats page's `;csv`). Columns are read by the names in
 * the `# pxname,svname,…` header: their order and number change between HAProxy versions.
 */
export function parseHaproxyStat(text: string, exitCode?: number): Parsed<HaproxyStatRow[]> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  if (looksLikeHtml(text)) return unknown('HTML instead of CSV', text);
  const lines = splitLines(text);
  const headerIndex = lines.findIndex((line) => /^#\s*\S/.test(line) && /(^#\s*|,)pxname,/.test(line) && line.includes('svname'));
  if (headerIndex < 0) {
    if (/^Unknown command/m.test(text)) return unknown('the runtime API did not know the command', text);
    if (/^Permission denied/m.test(text)) return unknown('the stats socket refused the command (permission denied)', text);
    return unknown(text.trim() === '' ? 'empty output' : 'no "# pxname,svname,…" header line', text);
  }
  const headerLine = lines[headerIndex]!.replace(/^#\s*/, '');
  const header = splitCsvLine(headerLine);
  if (header === undefined) return unknown('unreadable header line', text);
  const column = (name: string) => header.indexOf(name);
  for (const name of ['pxname', 'svname', 'status']) {
    if (column(name) < 0) return unknown(`header has no "${name}" column`, text);
  }
  // HAProxy ends the header and every row with a comma; a row without it was cut off.
  const rowsEndWithComma = headerLine.endsWith(',');

  const rows: HaproxyStatRow[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') continue;
    if (rowsEndWithComma && !line.endsWith(',')) return unknown('a row does not end like the header (truncated?)', text);
    const fields = splitCsvLine(line);
    if (fields === undefined) return unknown('a row has an unterminated quote (truncated?)', text);
    const columns: Record<string, string> = {};
    header.forEach((name, index) => {
      if (name !== '' && name !== '-' && index < fields.length) columns[name] = fields[index]!;
    });
    const proxy = columns.pxname;
    const server = columns.svname;
    const rawStatus = columns.status;
    if (proxy === undefined || server === undefined || rawStatus === undefined || proxy === '' || server === '') {
      return unknown('a row without pxname, svname or status', text);
    }
    const row: HaproxyStatRow = { proxy, server, kind: 'server', status: parseHaproxyStatus(rawStatus), columns };
    const type = parseCount(columns.type);
    if (type !== undefined) row.type = type;
    row.kind = server === 'FRONTEND' ? 'frontend' : server === 'BACKEND' ? 'backend' : (type !== undefined ? kindByType[type] : undefined) ?? 'server';
    const weight = parseCount(columns.weight);
    if (weight !== undefined) row.weight = weight;
    const sessions = parseCount(columns.scur);
    if (sessions !== undefined) row.sessions = sessions;
    if (columns.check_status !== undefined && columns.check_status !== '') row.checkStatus = columns.check_status;
    const lastChange = parseCount(columns.lastchg);
    if (lastChange !== undefined) row.lastChangeSeconds = lastChange;
    rows.push(row);
  }
  return ok(rows);
}

/** Reads one value of the `status` column. */
export function parseHaproxyStatus(raw: string): HaproxyStatus {
  const status: HaproxyStatus = { raw };
  const match = /^([A-Za-z]+(?: [A-Za-z]+)?)(?: (\d+)\/(\d+))?(?: \(([^)]*)\))?$/.exec(raw.trim());
  if (match === null) return status;
  const word = match[1]!.toUpperCase();
  if (!(baseStates as readonly string[]).includes(word)) return status;
  status.base = word as HaproxyBaseState;
  if (match[2] !== undefined && match[3] !== undefined) {
    // "UP 1/3" counts failed checks towards DOWN; "DOWN 1/2" counts good checks towards UP.
    status.transition = { step: Number(match[2]), of: Number(match[3]), towards: word === 'DOWN' ? 'UP' : 'DOWN' };
  }
  const inParentheses = match[4];
  if (inParentheses !== undefined) {
    const via = /^via (\S+)$/.exec(inParentheses);
    if (via !== null) status.via = via[1]!;
    else status.detail = inParentheses;
  }
  return status;
}

/** One CSV line; undefined when a quoted field is not closed. */
function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** The reply to `set server B/S state …` and similar commands: empty means done. */
export function parseHaproxyCommandReply(text: string, exitCode?: number): Parsed<{ done: true }> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  if (exitCode !== undefined && exitCode !== 0) return unknown(`the command exited with ${exitCode}`, text);
  if (text.trim() === '') return ok({ done: true });
  return unknown(text.trim().split('\n')[0]!.slice(0, 120), text);
}
