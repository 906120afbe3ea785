import { parse } from 'shell-quote';

/**
 * systemd unit files as the lab's service manager reads them: the file at the
 * FragmentPath plus drop-ins, parsed into the settings the simulation honours.
 */

export type ServiceType = 'simple' | 'exec' | 'notify' | 'forking' | 'oneshot';
export type RestartPolicy = 'no' | 'always' | 'on-success' | 'on-failure' | 'on-abnormal' | 'on-abort' | 'on-watchdog';

export interface UnitConfig {
  description: string;
  type: ServiceType;
  /** ExecStart= split into argv (prefixes like `-` and `@` removed). */
  execStart: string[];
  /** The ExecStart= line as written, for `systemctl show`. */
  execStartLine: string;
  restart: RestartPolicy;
  restartMs: number;
  startLimitBurst: number;
  startLimitIntervalMs: number;
  timeoutStartMs: number;
  timeoutStopMs: number;
  user: string;
  group: string;
  workingDirectory: string;
  environment: Record<string, string>;
  syslogIdentifier: string | undefined;
  wantedBy: string[];
  remainAfterExit: boolean;
}

type Sections = Map<string, Array<[string, string]>>;

export function parseUnitSections(texts: readonly string[]): Sections {
  const sections: Sections = new Map();
  for (const text of texts) {
    let current: Array<[string, string]> | undefined;
    let pending = '';
    for (const rawLine of text.split('\n')) {
      const line = pending + rawLine.trim();
      if (line.endsWith('\\')) {
        pending = `${line.slice(0, -1)} `;
        continue;
      }
      pending = '';
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      const header = /^\[(.+)\]$/.exec(line);
      if (header) {
        const name = header[1]!;
        current = sections.get(name) ?? [];
        sections.set(name, current);
        continue;
      }
      const eq = line.indexOf('=');
      if (eq < 0 || !current) continue;
      current.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
    }
  }
  return sections;
}

/** The last assignment wins; an empty assignment resets (as in drop-ins). */
function lastValue(sections: Sections, section: string, key: string): string | undefined {
  const entries = sections.get(section) ?? [];
  let value: string | undefined;
  for (const [k, v] of entries) if (k === key) value = v;
  return value === '' ? undefined : value;
}

function allValues(sections: Sections, section: string, key: string): string[] {
  const values: string[] = [];
  for (const [k, v] of sections.get(section) ?? []) {
    if (k !== key) continue;
    if (v === '') values.length = 0;
    else values.push(v);
  }
  return values;
}

export function parseUnitConfig(name: string, texts: readonly string[]): UnitConfig {
  const sections = parseUnitSections(texts);
  const execStartLine = allValues(sections, 'Service', 'ExecStart').at(-1) ?? '';
  const environment: Record<string, string> = {};
  for (const value of allValues(sections, 'Service', 'Environment')) {
    for (const word of parse(value)) {
      if (typeof word !== 'string') continue;
      const eq = word.indexOf('=');
      if (eq > 0) environment[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  const startLimitInterval =
    lastValue(sections, 'Unit', 'StartLimitIntervalSec') ?? lastValue(sections, 'Service', 'StartLimitInterval');
  return {
    description: lastValue(sections, 'Unit', 'Description') ?? name,
    type: (lastValue(sections, 'Service', 'Type') as ServiceType | undefined) ?? 'simple',
    execStart: splitExecLine(execStartLine),
    execStartLine,
    restart: (lastValue(sections, 'Service', 'Restart') as RestartPolicy | undefined) ?? 'no',
    restartMs: parseTimespan(lastValue(sections, 'Service', 'RestartSec') ?? '100ms'),
    startLimitBurst: Number(lastValue(sections, 'Unit', 'StartLimitBurst') ?? 5),
    startLimitIntervalMs: parseTimespan(startLimitInterval ?? '10s'),
    timeoutStartMs: parseTimespan(lastValue(sections, 'Service', 'TimeoutStartSec') ?? '90s'),
    timeoutStopMs: parseTimespan(lastValue(sections, 'Service', 'TimeoutStopSec') ?? '90s'),
    user: lastValue(sections, 'Service', 'User') ?? 'root',
    group: lastValue(sections, 'Service', 'Group') ?? '',
    workingDirectory: lastValue(sections, 'Service', 'WorkingDirectory') ?? '/',
    environment,
    syslogIdentifier: lastValue(sections, 'Service', 'SyslogIdentifier'),
    wantedBy: allValues(sections, 'Install', 'WantedBy').flatMap((v) => v.split(/\s+/)),
    remainAfterExit: /^(yes|true|1|on)$/i.test(lastValue(sections, 'Service', 'RemainAfterExit') ?? ''),
  };
}

function splitExecLine(line: string): string[] {
  const withoutPrefixes = line.replace(/^[-@:+!]+/, '');
  return parse(withoutPrefixes).filter((word): word is string => typeof word === 'string');
}

const spanUnits: Array<[RegExp, number]> = [
  [/^(us|usec|µs)$/, 0.001],
  [/^(ms|msec)$/, 1],
  [/^(s|sec|second|seconds)?$/, 1000],
  [/^(m|min|minute|minutes)$/, 60_000],
  [/^(h|hr|hour|hours)$/, 3_600_000],
  [/^(d|day|days)$/, 86_400_000],
  [/^(w|week|weeks)$/, 604_800_000],
  [/^(M|month|months)$/, 2_629_800_000],
  [/^(y|year|years)$/, 31_557_600_000],
];

/** systemd time spans: `5`, `100ms`, `1min 30s`, `infinity` (ms; infinity = Infinity). */
export function parseTimespan(text: string): number {
  const trimmed = text.trim();
  if (trimmed === 'infinity') return Infinity;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)\s*([a-zA-Zµ]*)/g;
  let match: RegExpExecArray | null;
  let matched = false;
  while ((match = re.exec(trimmed)) !== null) {
    if (match[0] === '') break;
    const unit = spanUnits.find(([pattern]) => pattern.test(match![2]!));
    if (!unit) throw new Error(`Invalid time span: ${text}`);
    total += Number(match[1]) * unit[1];
    matched = true;
  }
  if (!matched) throw new Error(`Invalid time span: ${text}`);
  return total;
}

const spanTable: Array<[string, number]> = [
  ['y', 31_557_600_000_000],
  ['month', 2_629_800_000_000],
  ['w', 604_800_000_000],
  ['d', 86_400_000_000],
  ['h', 3_600_000_000],
  ['min', 60_000_000],
  ['s', 1_000_000],
  ['ms', 1000],
  ['us', 1],
];

/**
 * systemd's `format_timespan()`: `100ms`, `1min 30s`, `1.500000s` at microsecond
 * accuracy (`systemctl show`), `1.202s` at millisecond accuracy (`systemctl status`).
 */
export function formatTimespan(ms: number, accuracyMs = 0.001): string {
  if (ms === Infinity) return 'infinity';
  let t = Math.round(ms * 1000);
  const accuracy = Math.max(1, Math.round(accuracyMs * 1000));
  if (t <= 0) return '0';
  const parts: string[] = [];
  for (const [suffix, usec] of spanTable) {
    if (t <= 0 || (t < accuracy && parts.length > 0)) break;
    if (t < usec) continue;
    const a = Math.floor(t / usec);
    let b = t % usec;
    // Below a minute, a fractional remainder is printed in dot notation.
    if (t < 60_000_000 && b > 0) {
      let digits = String(usec).length - 1;
      for (let cc = accuracy; cc > 1; cc = Math.floor(cc / 10)) {
        b = Math.floor(b / 10);
        digits--;
      }
      if (digits > 0) {
        parts.push(`${a}.${String(b).padStart(digits, '0')}${suffix}`);
        break;
      }
    }
    parts.push(`${a}${suffix}`);
    t = t % usec;
  }
  return parts.join(' ');
}
