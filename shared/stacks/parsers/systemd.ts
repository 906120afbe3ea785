import { detectProbeFailure } from './failure';
import { ok, unknown, type Parsed } from './result';
import { parseCount, splitLines } from './text';

/** The properties the probes ask `systemctl show -p` for, in one comma-separated argument. */
export const systemdShowProperties = [
  'Id',
  'ActiveState',
  'SubState',
  'MainPID',
  'NRestarts',
  'ExecMainStartTimestamp',
  'Restart',
  'FragmentPath',
  'Result',
  'UnitFileState',
  'LoadState',
] as const;

const activeStates = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance', 'refreshing'] as const;
export type ActiveState = (typeof activeStates)[number];

const loadStates = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;
export type LoadState = (typeof loadStates)[number];

export interface SystemdTimestamp {
  /** As printed, e.g. `Thu 2026-11-26 00:26:32 UTC`. */
  raw: string;
  /** Milliseconds since the epoch, only when the zone is unambiguous (UTC or a numeric offset). */
  epochMs?: number;
}

export interface SystemdUnitState {
  id: string;
  loadState: LoadState;
  activeState: ActiveState;
  subState: string;
  /** Absent when 0 (no main process) or not asked for. */
  mainPid?: number;
  nRestarts?: number;
  /** Absent when the unit never started (empty or `n/a`). */
  execMainStartTimestamp?: SystemdTimestamp;
  restart?: string;
  fragmentPath?: string;
  result?: string;
  unitFileState?: string;
  /** Every property as printed, including ones this type does not name. */
  properties: Record<string, string>;
}

export interface SystemctlShowOptions {
  /** Properties every unit block must carry; a block without them was cut short. */
  requiredProperties?: readonly string[];
  /** How many units were asked for; fewer blocks means the output was cut. */
  unitCount?: number;
}

const minimalProperties = ['Id', 'LoadState', 'ActiveState', 'SubState'] as const;

/** `systemctl show -p … UNIT…`: one block of `Key=value` lines per unit, blank line between. */
export function parseSystemctlShow(text: string, exitCode?: number, options: SystemctlShowOptions = {}): Parsed<SystemdUnitState[]> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  if (exitCode !== undefined && exitCode !== 0) return unknown(`systemctl exited with ${exitCode}`, text);
  if (text.trim() === '') return unknown('empty output', text);
  if (!text.endsWith('\n')) return unknown('output ends in the middle of a line (truncated)', text);

  const required = options.requiredProperties ?? minimalProperties;
  const units: SystemdUnitState[] = [];
  for (const block of text.split(/\r?\n[ \t]*\r?\n/)) {
    if (block.trim() === '') continue;
    const properties: Record<string, string> = {};
    for (const line of splitLines(block)) {
      const match = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
      if (match === null) return unknown(`unexpected line in systemctl show output: ${line.slice(0, 80)}`, text);
      properties[match[1]!] = match[2]!;
    }
    const missing = required.filter((name) => !(name in properties));
    if (missing.length > 0) return unknown(`unit block without ${missing.join(', ')} (truncated?)`, text);
    const unit = toUnitState(properties);
    if (typeof unit === 'string') return unknown(unit, text);
    units.push(unit);
  }
  if (options.unitCount !== undefined && units.length !== options.unitCount) {
    return unknown(`expected ${options.unitCount} units, got ${units.length} (truncated?)`, text);
  }
  return ok(units);
}

function toUnitState(properties: Record<string, string>): SystemdUnitState | string {
  const id = properties.Id;
  if (id === undefined || id === '') return 'unit block without Id';
  const activeState = properties.ActiveState;
  if (!isOneOf(activeStates, activeState)) return `unknown ActiveState "${activeState ?? ''}" for ${id}`;
  const loadState = properties.LoadState;
  if (!isOneOf(loadStates, loadState)) return `unknown LoadState "${loadState ?? ''}" for ${id}`;

  const unit: SystemdUnitState = { id, loadState, activeState, subState: properties.SubState ?? '', properties };
  const mainPid = parseCount(properties.MainPID);
  if (mainPid !== undefined && mainPid > 0) unit.mainPid = mainPid;
  const nRestarts = parseCount(properties.NRestarts);
  if (nRestarts !== undefined) unit.nRestarts = nRestarts;
  const started = parseSystemdTimestamp(properties.ExecMainStartTimestamp ?? '');
  if (started !== undefined) unit.execMainStartTimestamp = started;
  for (const [key, field] of [
    ['Restart', 'restart'],
    ['FragmentPath', 'fragmentPath'],
    ['Result', 'result'],
    ['UnitFileState', 'unitFileState'],
  ] as const) {
    const value = properties[key];
    if (value !== undefined && value !== '') unit[field] = value;
  }
  return unit;
}

function isOneOf<T extends string>(values: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (values as readonly string[]).includes(value);
}

/**
 * systemd's timestamp format: `Thu 2026-11-26 10:15:02 UTC`, optionally with microseconds.
 * Empty and `n/a` mean "never". A zone abbreviation other than UTC/GMT is kept only as text:
 * abbreviations such as CST are ambiguous.
 */
export function parseSystemdTimestamp(value: string): SystemdTimestamp | undefined {
  const raw = value.trim();
  if (raw === '' || raw === 'n/a') return undefined;
  const match = /^(?:[A-Za-z]{3} )?(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (\S+))?$/.exec(raw);
  if (match === null) return { raw };
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return { raw };
  const millis = fraction === undefined ? 0 : Math.floor(Number(fraction.padEnd(6, '0')) / 1000);
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), millis);
  return { raw, epochMs: utc - offsetMinutes * 60_000 };
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined) return undefined;
  if (/^(UTC|GMT|Z)$/i.test(zone)) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric === null) return undefined;
  const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
  return numeric[1] === '-' ? -minutes : minutes;
}

/** What `systemctl is-active` may print for a unit. */
export type IsActiveState = ActiveState | 'unknown';
const isActiveStates: readonly string[] = [...activeStates, 'unknown'];

/**
 * `systemctl is-active UNIT…`: one state per line, in the order asked. Exit status 0 when at
 * least one unit is active (or reloading), 3 otherwise; anything else is not an answer.
 */
export function parseSystemctlIsActive(text: string, exitCode?: number, unitCount?: number): Parsed<IsActiveState[]> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  if (exitCode !== undefined && exitCode !== 0 && exitCode !== 3) return unknown(`systemctl exited with ${exitCode}`, text);
  const lines = splitLines(text).map((line) => line.trim());
  if (lines.length === 0) return unknown('empty output', text);
  const bad = lines.find((line) => !isActiveStates.includes(line));
  if (bad !== undefined) return unknown(`unexpected is-active output: ${bad.slice(0, 80)}`, text);
  if (unitCount !== undefined && lines.length !== unitCount) {
    return unknown(`expected ${unitCount} states, got ${lines.length} (truncated?)`, text);
  }
  const states = lines as IsActiveState[];
  if (exitCode !== undefined) {
    const anyActive = states.some((state) => state === 'active' || state === 'reloading');
    if (anyActive !== (exitCode === 0)) return unknown(`exit status ${exitCode} does not match the printed states`, text);
  }
  return ok(states);
}

export interface UnitFileEntry {
  file: string;
  section: string;
  key: string;
  value: string;
}

export interface UnitFiles {
  /** The unit file itself, then its drop-ins, in the order systemd applies them. */
  files: string[];
  dropIns: string[];
  /** The effective `[Service] Restart=` (systemd's default is `no`), and the file that set it. */
  restart: string;
  restartSetIn?: string;
  /** The effective `[Service] ExecStart=` lines (an empty assignment in a drop-in resets them). */
  execStart: string[];
  entries: UnitFileEntry[];
}

const fileHeader = /^# (\/\S+\.(?:service|socket|timer|mount|automount|swap|target|path|slice|scope|conf))$/;

/** `systemctl cat UNIT`: the unit file and its drop-ins, each after a `# /path` header line. */
export function parseSystemctlCat(text: string, exitCode?: number): Parsed<UnitFiles> {
  const lines = splitLines(text);
  const hasHeader = lines.some((line, index) => fileHeader.test(line) && (index === 0 || lines[index - 1]!.trim() === ''));
  if (!hasHeader) {
    const noFiles = /^No files found for (\S+?)\.?$/m.exec(text);
    if (noFiles !== null) return unknown(`no unit file found for ${noFiles[1]}`, text);
    const failure = detectProbeFailure(text, exitCode);
    if (failure !== undefined) return unknown(failure, text);
    return unknown(text.trim() === '' ? 'empty output' : 'no unit file header (# /path) in systemctl cat output', text);
  }
  if (exitCode !== undefined && exitCode !== 0) return unknown(`systemctl exited with ${exitCode}`, text);

  const files: string[] = [];
  const entries: UnitFileEntry[] = [];
  let file: string | undefined;
  let section = '';
  for (let index = 0; index < lines.length; index += 1) {
    let line = lines[index]!;
    const header = fileHeader.exec(line);
    if (header !== null && (index === 0 || lines[index - 1]!.trim() === '')) {
      file = header[1]!;
      files.push(file);
      section = '';
      continue;
    }
    if (file === undefined) return unknown('text before the first unit file header', text);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const sectionMatch = /^\[([^\]]+)\]$/.exec(trimmed);
    if (sectionMatch !== null) {
      section = sectionMatch[1]!;
      continue;
    }
    // A trailing backslash continues the value on the next line.
    while (line.endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      line = `${line.slice(0, -1)} ${lines[index]!.trim()}`;
    }
    const assignment = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (assignment === null) return unknown(`unexpected line in unit file ${file}: ${trimmed.slice(0, 80)}`, text);
    entries.push({ file, section, key: assignment[1]!, value: assignment[2]! });
  }

  let restart = 'no';
  let restartSetIn: string | undefined;
  let execStart: string[] = [];
  for (const entry of entries) {
    if (entry.section !== 'Service') continue;
    if (entry.key === 'Restart') {
      restart = entry.value === '' ? 'no' : entry.value;
      restartSetIn = entry.value === '' ? undefined : entry.file;
    } else if (entry.key === 'ExecStart') {
      execStart = entry.value === '' ? [] : [...execStart, entry.value];
    }
  }
  const unitFiles: UnitFiles = { files, dropIns: files.slice(1), restart, execStart, entries };
  if (restartSetIn !== undefined) unitFiles.restartSetIn = restartSetIn;
  return ok(unitFiles);
}
