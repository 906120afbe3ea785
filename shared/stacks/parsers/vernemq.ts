import { parseAsciiTable, tableRecords } from './ascii-table';
import { detectProbeFailure, looksLikeHtml } from './failure';
import { ok, unknown, type Parsed } from './result';
import { isRecord, parseCount, splitLines, tryParseJson } from './text';

/**
 * Error lines vmq-admin (and the relx `vernemq` script under it) prints instead of an answer.
 * Checked before anything else, so "the local node is down" is never read as an empty cluster.
 */
function vmqAdminError(text: string): string | undefined {
  const notResponding = /Node '([^']+)' not responding to pings\./.exec(text);
  if (notResponding !== null) return `node ${notResponding[1]} not responding to pings (is VerneMQ running?)`;
  const rpc = /RPC to (?:node )?'?([^'\s]+?)'? failed(?: for reason)?: ?(\S+)?/.exec(text);
  if (rpc !== null) return `RPC to ${rpc[1]} failed${rpc[2] === undefined ? '' : `: ${rpc[2]}`}`;
  return undefined;
}

type VmqJson = { kind: 'table'; rows: Record<string, unknown>[] } | { kind: 'text'; text: string };

/** The `--format=json` writer (also the HTTP API): `{"table":[…],"type":"table"}` or `{"text":…,"type":"text"}`. */
function readVmqJson(text: string): VmqJson | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  const parsed = tryParseJson(trimmed);
  if (parsed === undefined || !isRecord(parsed.value)) return undefined;
  const value = parsed.value;
  if (value.type === 'table' && Array.isArray(value.table) && value.table.every(isRecord)) {
    return { kind: 'table', rows: value.table };
  }
  if (value.type === 'text' && typeof value.text === 'string') return { kind: 'text', text: value.text };
  return undefined;
}

/** Rows of a vmq-admin table in either output format, as string-or-value records. */
function readVmqRows(text: string, exitCode: number | undefined): Parsed<{ rows: Record<string, unknown>[]; format: 'table' | 'json' }> {
  const error = vmqAdminError(text) ?? detectProbeFailure(text, exitCode);
  if (error !== undefined) return unknown(error, text);
  if (looksLikeHtml(text)) return unknown('HTML instead of vmq-admin output', text);
  const json = readVmqJson(text);
  if (json !== undefined) {
    if (json.kind !== 'table') return unknown(`expected a table, got text: ${json.text.slice(0, 80)}`, text);
    return ok({ rows: json.rows, format: 'json' });
  }
  if (text.trim().startsWith('{')) return unknown('JSON that is not a vmq-admin table (truncated?)', text);
  const table = parseAsciiTable(text);
  if (typeof table === 'string') return unknown(text.trim() === '' ? 'empty output' : table, text);
  return ok({ rows: tableRecords(table), format: 'table' });
}

function cellText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function cellBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export interface VmqClusterNode {
  node: string;
  running: boolean;
}

/** `vmq-admin cluster show` (table before and after 1.11, or `--format=json`). */
export function parseVmqClusterShow(text: string, exitCode?: number): Parsed<{ nodes: VmqClusterNode[]; format: 'table' | 'json' }> {
  const read = readVmqRows(text, exitCode);
  if (read.status !== 'ok') return read;
  const nodes: VmqClusterNode[] = [];
  for (const row of read.value.rows) {
    const node = cellText(row.Node);
    const running = cellBoolean(row.Running);
    if (node === undefined || node === '' || running === undefined) return unknown('a row without Node and Running', text);
    nodes.push({ node, running });
  }
  if (nodes.length === 0) return unknown('no nodes listed', text);
  return ok({ nodes, format: read.value.format });
}

export interface VmqPlugin {
  name: string;
  type: string;
  hooks: string[];
}

const lines = (value: unknown): string[] => (cellText(value) ?? '').split('\n').filter((line) => line.trim() !== '');

/** `vmq-admin plugin show` (enabled plugins with the hooks they implement). */
export function parseVmqPluginShow(text: string, exitCode?: number): Parsed<{ plugins: VmqPlugin[] }> {
  const read = readVmqRows(text, exitCode);
  if (read.status !== 'ok') return read;
  const plugins: VmqPlugin[] = [];
  for (const row of read.value.rows) {
    const name = cellText(row.Plugin);
    if (name === undefined || name === '') return unknown('a row without Plugin', text);
    plugins.push({ name, type: cellText(row.Type) ?? '', hooks: lines(row['Hook(s)']) });
  }
  return ok({ plugins });
}

export interface VmqBridge {
  /** Present from VerneMQ 1.10.4. */
  name?: string;
  endpoint: string;
  bufferSize?: number;
  bufferMax?: number;
  bufferDropped?: number;
  mailboxLength?: number;
}

/** `vmq-admin bridge show`. Prints nothing when no bridge is configured. */
export function parseVmqBridgeShow(text: string, exitCode?: number): Parsed<{ bridges: VmqBridge[] }> {
  if (text.trim() === '' && exitCode === 0) return ok({ bridges: [] });
  const read = readVmqRows(text, exitCode);
  if (read.status !== 'ok') return read;
  const bridges: VmqBridge[] = [];
  for (const row of read.value.rows) {
    const endpoint = cellText(row.endpoint);
    if (endpoint === undefined || endpoint === '') return unknown('a row without endpoint', text);
    const bridge: VmqBridge = { endpoint };
    const name = cellText(row.name);
    if (name !== undefined && name !== '') bridge.name = name;
    for (const [column, field] of [
      ['buffer size', 'bufferSize'],
      ['buffer max', 'bufferMax'],
      ['buffer dropped msgs', 'bufferDropped'],
      ['MQTT process mailbox len', 'mailboxLength'],
    ] as const) {
      const count = parseCount(cellText(row[column]));
      if (count !== undefined) bridge[field] = count;
    }
    bridges.push(bridge);
  }
  return ok({ bridges });
}

/** The single text answer of a vmq-admin command, in either output format. */
function readVmqText(text: string, exitCode: number | undefined): Parsed<string> {
  const error = vmqAdminError(text) ?? detectProbeFailure(text, exitCode);
  if (error !== undefined) return unknown(error, text);
  const json = readVmqJson(text);
  if (json !== undefined) return json.kind === 'text' ? ok(json.text.trim()) : unknown('expected text, got a table', text);
  const answer = splitLines(text)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (answer.length === 0) return unknown('empty output', text);
  return ok(answer.join('\n'));
}

export type VmqNodeHistory = 'empty_state' | 'existing_state';

/** `vmq-admin node history`: whether this node has state of its own (a join would be refused). */
export function parseVmqNodeHistory(text: string, exitCode?: number): Parsed<VmqNodeHistory> {
  const answer = readVmqText(text, exitCode);
  if (answer.status !== 'ok') return answer;
  if (answer.value === 'empty_state' || answer.value === 'existing_state') return ok(answer.value);
  return unknown(`unexpected node history answer: ${answer.value.slice(0, 80)}`, text);
}

export type VmqCommandOutcome = { outcome: 'done'; message: string } | { outcome: 'failed'; reason: string; message: string };

/**
 * The answer to `vmq-admin cluster join|leave`, `plugin enable|disable`, `bridge start`:
 * `Done`, or a refusal such as `RPC to node … failed for reason: non_empty_node`.
 */
export function parseVmqCommandResult(text: string, exitCode?: number): Parsed<VmqCommandOutcome> {
  const notResponding = /Node '([^']+)' not responding to pings\./.exec(text);
  if (notResponding !== null) return unknown(`node ${notResponding[1]} not responding to pings (is VerneMQ running?)`, text);
  const refused = /RPC to (?:node )?'?([^'\s]+?)'? failed for reason: (\S+)/.exec(text) ?? /Couldn't join cluster due to (\S+)/.exec(text);
  if (refused !== null) {
    const reason = refused.length > 2 ? refused[2]! : refused[1]!;
    return ok({ outcome: 'failed', reason: reason.replace(/[.,]$/, ''), message: text.trim() });
  }
  const answer = readVmqText(text, exitCode);
  if (answer.status !== 'ok') return answer;
  if (/^Done\b/.test(answer.value)) return ok({ outcome: 'done', message: answer.value });
  return unknown(`unexpected answer: ${answer.value.slice(0, 80)}`, text);
}

/**
 * `vernemq ping`: `pong` (exit 0), or `Node '…' not responding to pings.` (exit 1). Both are
 * answers; anything else is not.
 */
export function parseVernemqPing(text: string, exitCode?: number): Parsed<{ responding: boolean; node?: string }> {
  const notResponding = /Node '([^']+)' not responding to pings\./.exec(text);
  if (notResponding !== null && exitCode !== 0) return ok({ responding: false, node: notResponding[1]! });
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  if (text.trim() === 'pong' && (exitCode === undefined || exitCode === 0)) return ok({ responding: true });
  return unknown(text.trim() === '' ? 'empty output' : 'neither pong nor "not responding to pings"', text);
}

export interface VernemqLogScan {
  /** Nodes named in `Cannot join a cluster, as local node '…' is non-empty.` lines. */
  nonEmptyJoinRefusals: string[];
  /** Lines saying a join RPC failed with `non_empty_node`. */
  nonEmptyNodeErrors: number;
}

/** Looks through VerneMQ log text for the refused-join symptoms of the bridge-at-boot incident. */
export function scanVernemqLog(text: string): VernemqLogScan {
  const nonEmptyJoinRefusals: string[] = [];
  let nonEmptyNodeErrors = 0;
  for (const line of splitLines(text)) {
    const refused = /Cannot join a cluster, as local node '([^']*)' is non-empty/.exec(line);
    if (refused !== null) nonEmptyJoinRefusals.push(refused[1]!);
    if (/\bnon_empty_node\b/.test(line)) nonEmptyNodeErrors += 1;
  }
  return { nonEmptyJoinRefusals, nonEmptyNodeErrors };
}
