import { createHash, randomBytes } from 'node:crypto';
import type { HostClock } from './clock';

/**
 * A host's systemd journal. Entries carry journald's own field names, so
 * `journalctl -o json` prints what a real host prints: the service manager's lines
 * come from PID 1 with `UNIT=` (and `_SYSTEMD_UNIT=init.scope`), a service's own
 * output comes with `_SYSTEMD_UNIT=<unit>`; `journalctl -u` matches both.
 */

export interface JournalEntry {
  seqnum: number;
  realtimeUs: number;
  monotonicUs: number;
  /** The unit `journalctl -u` finds this entry under. */
  unit: string;
  identifier: string;
  pid: number;
  message: string;
  priority: number;
  /** Every journald field in order, values as strings (as `-o json` prints them). */
  fields: Array<[string, string]>;
}

export interface ProcessIdentity {
  pid: number;
  uid: number;
  gid: number;
  /** Executable path, e.g. `/opt/voms/bin/server`. */
  exe: string;
  cmdline: string;
  identifier: string;
}

export interface JournalQuery {
  units?: string[];
  sinceMs?: number;
  untilMs?: number;
  /** Only the last N entries (`-n N`). */
  lines?: number;
}

const messageIds: Record<string, string> = {
  started: '39f53479d3a045ac8e11786248231fbf',
  failedToStart: 'be02cf6855d2428ba40df7e9d022f03d',
  stopping: 'de5b426a63be47a7b6ac3eaac82e2f6f',
  stopped: '9d1aaa27d60140bd96365438aad20286',
  unitResult: '7ad2d189f7e94e70a38c781354912448',
  processExit: '98e322203f7a4ed290d09fe03c09fe15',
  restartScheduled: '5eb03494b6584870a536b337290809b3',
};

export type ManagerMessageKind = keyof typeof messageIds;

export class Journal {
  readonly #entries: JournalEntry[] = [];
  readonly #clock: HostClock;
  readonly #hostname: () => string;
  readonly #bootId = randomBytes(16).toString('hex');
  readonly #machineId = randomBytes(16).toString('hex');
  readonly #seqnumId = randomBytes(16).toString('hex');
  readonly #bootMs: () => number;
  #seqnum = 0;
  /** Old entries are dropped beyond this, like journald's size limits. */
  readonly #maxEntries: number;

  constructor(options: { clock: HostClock; hostname: () => string; bootMs: () => number; maxEntries?: number }) {
    this.#clock = options.clock;
    this.#hostname = options.hostname;
    this.#bootMs = options.bootMs;
    this.#maxEntries = options.maxEntries ?? 50_000;
  }

  /** A line from the service manager (systemd, PID 1) about `unit`. */
  manager(
    unit: string,
    message: string,
    options: { priority?: number; kind?: ManagerMessageKind; invocationId?: string; extra?: Record<string, string>; atMs?: number } = {},
  ): void {
    const priority = options.priority ?? 6;
    const fields: Array<[string, string]> = [
      ['PRIORITY', String(priority)],
      ['SYSLOG_FACILITY', '3'],
      ['SYSLOG_IDENTIFIER', 'systemd'],
      ['_PID', '1'],
      ['_UID', '0'],
      ['_GID', '0'],
      ['_COMM', 'systemd'],
      ['_EXE', '/usr/lib/systemd/systemd'],
      ['_CMDLINE', '/sbin/init'],
      ['_SYSTEMD_CGROUP', '/init.scope'],
      ['_SYSTEMD_UNIT', 'init.scope'],
      ['_SYSTEMD_SLICE', '-.slice'],
      ['_TRANSPORT', 'journal'],
      ['CODE_FILE', 'src/core/unit.c'],
      ['UNIT', unit],
    ];
    if (options.kind) fields.push(['MESSAGE_ID', messageIds[options.kind]!]);
    if (options.invocationId) fields.push(['INVOCATION_ID', options.invocationId]);
    for (const [key, value] of Object.entries(options.extra ?? {})) fields.push([key, value]);
    fields.push(['MESSAGE', message]);
    this.#append({ unit, identifier: 'systemd', pid: 1, message, priority, fields }, options.atMs);
  }

  /** A line a service's process wrote to stdout/stderr. */
  process(unit: string, identity: ProcessIdentity, message: string, options: { priority?: number; invocationId?: string } = {}): void {
    const priority = options.priority ?? 6;
    const fields: Array<[string, string]> = [
      ['PRIORITY', String(priority)],
      ['SYSLOG_FACILITY', '3'],
      ['SYSLOG_IDENTIFIER', identity.identifier],
      ['_PID', String(identity.pid)],
      ['_UID', String(identity.uid)],
      ['_GID', String(identity.gid)],
      ['_COMM', identity.exe.split('/').pop()!.slice(0, 15)],
      ['_EXE', identity.exe],
      ['_CMDLINE', identity.cmdline],
      ['_SYSTEMD_CGROUP', `/system.slice/${unit}`],
      ['_SYSTEMD_UNIT', unit],
      ['_SYSTEMD_SLICE', 'system.slice'],
      ['_TRANSPORT', 'stdout'],
    ];
    if (options.invocationId) fields.push(['_SYSTEMD_INVOCATION_ID', options.invocationId]);
    fields.push(['MESSAGE', message]);
    this.#append({ unit, identifier: identity.identifier, pid: identity.pid, message, priority, fields });
  }

  query(query: JournalQuery = {}): JournalEntry[] {
    const units = query.units && query.units.length > 0 ? new Set(query.units) : undefined;
    let selected = this.#entries.filter((entry) => {
      if (units && !units.has(entry.unit)) return false;
      if (query.sinceMs !== undefined && entry.realtimeUs < query.sinceMs * 1000) return false;
      if (query.untilMs !== undefined && entry.realtimeUs > query.untilMs * 1000) return false;
      return true;
    });
    if (query.lines !== undefined) selected = query.lines <= 0 ? [] : selected.slice(-query.lines);
    return selected;
  }

  /** journalctl's default `short` line: `Nov 26 10:15:02 host systemd[1]: Started ...`. */
  formatShort(entry: JournalEntry): string {
    const stamp = this.#clock.format('%b %d %H:%M:%S', Math.floor(entry.realtimeUs / 1000));
    return `${stamp} ${this.#hostname()} ${entry.identifier}[${entry.pid}]: ${entry.message}`;
  }

  /** `-o short-iso`: `2026-11-26T10:15:02+0000 host ident[pid]: message`. */
  formatShortIso(entry: JournalEntry): string {
    const stamp = this.#clock.format('%Y-%m-%dT%H:%M:%S%z', Math.floor(entry.realtimeUs / 1000));
    return `${stamp} ${this.#hostname()} ${entry.identifier}[${entry.pid}]: ${entry.message}`;
  }

  /** `-o json`: one object per line, every value a string, journald's field names. */
  formatJson(entry: JournalEntry): string {
    const hex = (value: number): string => value.toString(16);
    const cursor =
      `s=${this.#seqnumId};i=${hex(entry.seqnum)};b=${this.#bootId};m=${hex(entry.monotonicUs)};` +
      `t=${hex(entry.realtimeUs)};x=${createHash('sha256').update(String(entry.seqnum)).digest('hex').slice(0, 16)}`;
    const object: Record<string, string> = {
      __CURSOR: cursor,
      __REALTIME_TIMESTAMP: String(entry.realtimeUs),
      __MONOTONIC_TIMESTAMP: String(entry.monotonicUs),
      _BOOT_ID: this.#bootId,
    };
    for (const [key, value] of entry.fields) object[key] = value;
    object._MACHINE_ID = this.#machineId;
    object._HOSTNAME = this.#hostname();
    return JSON.stringify(object);
  }

  #append(partial: Omit<JournalEntry, 'seqnum' | 'realtimeUs' | 'monotonicUs'>, atMs?: number): void {
    const monotonicOf = (realtimeUs: number): number => Math.max(0, realtimeUs - Math.floor(this.#bootMs() * 1000));
    if (atMs !== undefined) {
      // Backdated (scenario setup): insert in time order.
      const realtimeUs = Math.floor(atMs * 1000);
      const entry = { ...partial, seqnum: ++this.#seqnum, realtimeUs, monotonicUs: monotonicOf(realtimeUs) };
      const index = this.#entries.findIndex((e) => e.realtimeUs > realtimeUs);
      this.#entries.splice(index < 0 ? this.#entries.length : index, 0, entry);
      return;
    }
    // Keep timestamps strictly increasing: with a small time scale many lines share a millisecond.
    const last = this.#entries[this.#entries.length - 1];
    const realtimeUs = Math.max(Math.floor(this.#clock.now() * 1000), last ? last.realtimeUs + 1 : 0);
    this.#entries.push({ ...partial, seqnum: ++this.#seqnum, realtimeUs, monotonicUs: monotonicOf(realtimeUs) });
    if (this.#entries.length > this.#maxEntries) this.#entries.splice(0, this.#entries.length - this.#maxEntries);
  }
}
