/**
 * Time in the lab. Every simulated delay goes through `LabClock`, whose `timeScale`
 * multiplies it: 1 gives realistic pacing for demos, 0.001 lets a test run a
 * restart in milliseconds. Wall-clock readings stay real (so timestamps look like
 * today); each host may add a skew to them, as a host with an unsynced clock does.
 */
export class LabClock {
  #timeScale: number;
  readonly #now: () => number;
  /** Lab time when `#realOrigin` was taken; re-based whenever the scale changes. */
  #labOrigin = 0;
  #realOrigin = performance.now();
  /** While a timer callback runs: the lab time it was due at. */
  #causalNow: number | undefined;

  constructor(options: { timeScale?: number; now?: () => number } = {}) {
    this.#timeScale = validScale(options.timeScale ?? 1);
    this.#now = options.now ?? Date.now;
  }

  get timeScale(): number {
    return this.#timeScale;
  }

  set timeScale(value: number) {
    this.#labOrigin = this.labNow();
    this.#realOrigin = performance.now();
    this.#timeScale = validScale(value);
  }

  /**
   * Simulated milliseconds since the clock started, for measuring lab durations (start
   * rate limits). Inside a timer callback it is the time the timer was due, so a chain
   * of timers (a crash loop) sees its nominal delays, not the event loop's lateness,
   * which would otherwise dominate at small time scales.
   */
  labNow(): number {
    return this.#causalNow ?? this.#labOrigin + (performance.now() - this.#realOrigin) / this.#timeScale;
  }

  /** Real wall-clock time in epoch milliseconds. */
  now(): number {
    return this.#now();
  }

  /** How long a lab delay of `labMs` really takes, in milliseconds. */
  scaled(labMs: number): number {
    return Math.max(0, labMs * this.#timeScale);
  }

  /** Runs `fn` after a scaled delay; returns a function that cancels it. */
  timer(labMs: number, fn: () => void): () => void {
    const due = this.labNow() + Math.max(0, labMs);
    const handle = setTimeout(() => {
      const outer = this.#causalNow;
      this.#causalNow = due;
      try {
        fn();
      } finally {
        this.#causalNow = outer;
      }
    }, this.scaled(labMs));
    return () => clearTimeout(handle);
  }

  /** Waits a scaled delay; rejects with the signal's reason when aborted first. */
  sleep(labMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(abortReason(signal));
      };
      const cancel = this.timer(labMs, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  forHost(options: { skewMs?: number; timezone?: HostTimezone } = {}): HostClock {
    return new HostClock(this, options.skewMs ?? 0, options.timezone ?? utc);
  }
}

export interface HostTimezone {
  /** Abbreviation printed by `date` and systemd, e.g. `UTC` or `CST`. */
  name: string;
  /** Offset east of UTC in minutes (CST = 480). */
  offsetMinutes: number;
}

export const utc: HostTimezone = { name: 'UTC', offsetMinutes: 0 };

/** One host's view of time: the lab clock plus this host's skew and timezone. */
export class HostClock {
  readonly lab: LabClock;
  skewMs: number;
  timezone: HostTimezone;

  constructor(lab: LabClock, skewMs: number, timezone: HostTimezone) {
    this.lab = lab;
    this.skewMs = skewMs;
    this.timezone = timezone;
  }

  /** What this host believes the time is, in epoch milliseconds. */
  now(): number {
    return this.lab.now() + this.skewMs;
  }

  timer(labMs: number, fn: () => void): () => void {
    return this.lab.timer(labMs, fn);
  }

  sleep(labMs: number, signal?: AbortSignal): Promise<void> {
    return this.lab.sleep(labMs, signal);
  }

  format(pattern: string, epochMs: number = this.now()): string {
    return strftime(pattern, epochMs, this.timezone);
  }
}

function validScale(value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError('timeScale must be a positive number');
  return value;
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new Error('aborted');
}

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const months = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const pad = (value: number, width = 2, fill = '0'): string => String(value).padStart(width, fill);

/** The C library's strftime for the conversions coreutils `date` users rely on (C locale). */
export function strftime(pattern: string, epochMs: number, timezone: HostTimezone = utc): string {
  const local = new Date(epochMs + timezone.offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const day = local.getUTCDate();
  const hours = local.getUTCHours();
  const minutes = local.getUTCMinutes();
  const seconds = local.getUTCSeconds();
  const weekday = local.getUTCDay();
  const startOfYear = Date.UTC(year, 0, 1);
  const dayOfYear = Math.floor((local.getTime() - startOfYear) / 86_400_000) + 1;
  const offset = timezone.offsetMinutes;
  const offsetText = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  const hours12 = hours % 12 === 0 ? 12 : hours % 12;
  const nanos = pad(((epochMs % 1000) + 1000) % 1000, 3) + '000000';

  const conversions: Record<string, () => string> = {
    a: () => weekdays[weekday]!.slice(0, 3),
    A: () => weekdays[weekday]!,
    b: () => months[month]!.slice(0, 3),
    h: () => months[month]!.slice(0, 3),
    B: () => months[month]!,
    c: () => strftime('%a %b %e %H:%M:%S %Y', epochMs, timezone),
    C: () => pad(Math.floor(year / 100)),
    d: () => pad(day),
    D: () => strftime('%m/%d/%y', epochMs, timezone),
    e: () => pad(day, 2, ' '),
    F: () => `${year}-${pad(month + 1)}-${pad(day)}`,
    H: () => pad(hours),
    I: () => pad(hours12),
    j: () => pad(dayOfYear, 3),
    k: () => pad(hours, 2, ' '),
    l: () => pad(hours12, 2, ' '),
    m: () => pad(month + 1),
    M: () => pad(minutes),
    n: () => '\n',
    N: () => nanos,
    p: () => (hours < 12 ? 'AM' : 'PM'),
    R: () => `${pad(hours)}:${pad(minutes)}`,
    s: () => String(Math.floor(epochMs / 1000)),
    S: () => pad(seconds),
    t: () => '\t',
    T: () => `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`,
    u: () => String(weekday === 0 ? 7 : weekday),
    w: () => String(weekday),
    y: () => pad(year % 100),
    Y: () => String(year),
    z: () => offsetText,
    Z: () => timezone.name,
    '%': () => '%',
  };

  return pattern.replace(/%(\d*)([a-zA-Z%])/g, (whole, width: string, letter: string) => {
    const convert = conversions[letter];
    if (!convert) return whole;
    const text = convert();
    // %3N and friends: GNU date's precision for nanoseconds.
    return letter === 'N' && width !== '' ? text.slice(0, Number(width)) : text;
  });
}

/** systemd's timestamp format, e.g. `Thu 2026-11-26 10:15:02 UTC`. */
export function systemdTimestamp(epochMs: number, timezone: HostTimezone = utc): string {
  return strftime('%a %Y-%m-%d %H:%M:%S %Z', epochMs, timezone);
}

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const week = 7 * day;
const monthMs = 2_629_800 * second;
const yearMs = 31_557_600 * second;
const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** systemd's `format_timestamp_relative()`: `3h 5min ago`, `2 weeks 1 day ago`, `now`. */
export function systemdRelative(deltaMs: number): string {
  const future = deltaMs < 0;
  const d = Math.abs(deltaMs);
  const suffix = future ? 'left' : 'ago';
  const f = Math.floor;
  if (d >= yearMs) return `${plural(f(d / yearMs), 'year', 'years')} ${plural(f((d % yearMs) / monthMs), 'month', 'months')} ${suffix}`;
  if (d >= monthMs) return `${plural(f(d / monthMs), 'month', 'months')} ${plural(f((d % monthMs) / day), 'day', 'days')} ${suffix}`;
  if (d >= week) return `${plural(f(d / week), 'week', 'weeks')} ${plural(f((d % week) / day), 'day', 'days')} ${suffix}`;
  if (d >= 2 * day) return `${f(d / day)} days ${suffix}`;
  if (d >= 25 * hour) return `1 day ${f((d - day) / hour)}h ${suffix}`;
  if (d >= 6 * hour) return `${f(d / hour)}h ${suffix}`;
  if (d >= hour) return `${f(d / hour)}h ${f((d % hour) / minute)}min ${suffix}`;
  if (d >= 5 * minute) return `${f(d / minute)}min ${suffix}`;
  if (d >= minute) return `${f(d / minute)}min ${f((d % minute) / second)}s ${suffix}`;
  if (d >= second) return `${f(d / second)}s ${suffix}`;
  if (d >= 1) return `${f(d)}ms ${suffix}`;
  return 'now';
}

/** Docker's `units.HumanDuration` (as in `Up 3 hours`, `Exited (1) 2 minutes ago`). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / minute);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / hour);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}
