import { detectProbeFailure } from './failure';
import { ok, unknown, type Parsed } from './result';
import { isRecord, parseCount, splitLines, tryParseJson } from './text';

export interface DiskUsage {
  filesystem: string;
  /** Bytes, from the block counts and the block size in the header. */
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** df's Capacity column (used / (used + available), rounded up); absent when df prints `-`. */
  capacityPercent?: number;
  mountedOn: string;
}

/** `df -P` (POSIX format): one line per file system; the mount point is the rest of the line. */
export function parseDfPosix(text: string, exitCode?: number): Parsed<{ filesystems: DiskUsage[]; errors: string[] }> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  const lines = splitLines(text);
  const headerIndex = lines.findIndex((line) => /^Filesystem\s+\d+-blocks\s+Used\s+Available\s+Capacity\s+Mounted on\s*$/.test(line));
  const errors = lines.filter((line) => line.startsWith('df: '));
  if (headerIndex < 0) return unknown(errors.length > 0 ? errors[0]! : 'no "Filesystem 1024-blocks … Mounted on" header', text);
  const blockSize = Number(/(\d+)-blocks/.exec(lines[headerIndex]!)![1]);
  const filesystems: DiskUsage[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '' || line.startsWith('df: ')) continue;
    const match = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:(\d+)%|-)\s+(\S.*)$/.exec(line);
    if (match === null) return unknown(`unexpected df line: ${line.slice(0, 80)}`, text);
    const usage: DiskUsage = {
      filesystem: match[1]!,
      sizeBytes: Number(match[2]) * blockSize,
      usedBytes: Number(match[3]) * blockSize,
      availableBytes: Number(match[4]) * blockSize,
      mountedOn: match[6]!,
    };
    if (match[5] !== undefined) usage.capacityPercent = Number(match[5]);
    filesystems.push(usage);
  }
  if (filesystems.length === 0 && errors.length > 0) return unknown(errors[0]!, text);
  return ok({ filesystems, errors });
}

export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
  runnable: number;
  threads: number;
}

/** `/proc/loadavg`: `0.31 0.40 0.23 1/91 12282`. */
export function parseLoadavg(text: string): Parsed<LoadAverage> {
  const match = /^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+) (\d+)\/(\d+) \d+\s*$/.exec(text.trim());
  if (match === null) return unknown(detectProbeFailure(text) ?? 'not /proc/loadavg', text);
  return ok({ load1: Number(match[1]), load5: Number(match[2]), load15: Number(match[3]), runnable: Number(match[4]), threads: Number(match[5]) });
}

/** `/proc/meminfo`: every line as bytes (kB lines) or a plain count (HugePages_*). */
export function parseMeminfo(text: string): Parsed<{ totalBytes: number; availableBytes?: number; fields: Record<string, number> }> {
  const fields: Record<string, number> = {};
  for (const line of splitLines(text)) {
    const match = /^([\w()]+):\s+(\d+)(?: (kB))?\s*$/.exec(line);
    if (match === null) return unknown(detectProbeFailure(text) ?? `unexpected meminfo line: ${line.slice(0, 80)}`, text);
    fields[match[1]!] = Number(match[2]) * (match[3] === 'kB' ? 1024 : 1);
  }
  const total = fields.MemTotal;
  if (total === undefined) return unknown('no MemTotal (truncated?)', text);
  const meminfo: { totalBytes: number; availableBytes?: number; fields: Record<string, number> } = { totalBytes: total, fields };
  // MemAvailable exists from Linux 3.14; older kernels get no estimate rather than a wrong one.
  if (fields.MemAvailable !== undefined) meminfo.availableBytes = fields.MemAvailable;
  return ok(meminfo);
}

/** `/proc/uptime`: seconds since boot and idle seconds. */
export function parseProcUptime(text: string): Parsed<{ uptimeSeconds: number; idleSeconds: number }> {
  const match = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\s*$/.exec(text.trim());
  if (match === null) return unknown(detectProbeFailure(text) ?? 'not /proc/uptime', text);
  return ok({ uptimeSeconds: Number(match[1]), idleSeconds: Number(match[2]) });
}

export interface UptimeText {
  /** From the `up …` part: precise to the minute. */
  uptimeSeconds: number;
  users?: number;
  load: [number, number, number];
}

/**
 * procps `uptime`: ` 00:29:47 up 3 days,  2:14,  0 user,  load average: 1.24, 1.49, 0.78`.
 * The `up` part takes the forms `N min`, `H:MM`, `N day(s), N min` and `N day(s), H:MM`.
 */
export function parseUptimeText(text: string): Parsed<UptimeText> {
  const match =
    /\bup\s+(?:(\d+) days?,\s+)?(?:(\d+):(\d{2})|(\d+) min|(\d+) sec(?:onds?)?)?,?\s+(?:(\d+) users?,\s+)?load averages?: (\d+[.,]\d+),? (\d+[.,]\d+),? (\d+[.,]\d+)/.exec(
      text,
    );
  if (match === null) return unknown(detectProbeFailure(text) ?? 'not uptime output', text);
  const [, days, hours, minutes, onlyMinutes, seconds, users, l1, l5, l15] = match;
  const uptimeSeconds =
    Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? onlyMinutes ?? 0) * 60 + Number(seconds ?? 0);
  const load = [l1, l5, l15].map((value) => Number(value!.replace(',', '.'))) as [number, number, number];
  const result: UptimeText = { uptimeSeconds, load };
  if (users !== undefined) result.users = Number(users);
  return ok(result);
}

/** `date +%s`: the host's clock, in seconds since the epoch. */
export function parseEpochSeconds(text: string, exitCode?: number): Parsed<number> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  const seconds = parseCount(text.trim());
  // Anything before 2001 (1e9) is not a clock we can compare with.
  if (seconds === undefined || seconds < 1_000_000_000) return unknown('not an epoch time in seconds', text);
  return ok(seconds);
}

export interface DockerContainerSummary {
  id: string;
  image: string;
  names: string[];
  /** `running`, `exited`, `restarting`, … (absent on very old Docker). */
  state?: string;
  /** As printed: `Up 8 seconds`, `Exited (1) 2 hours ago`, `Up 3 hours (unhealthy)`. */
  status: string;
  /** From the status text: `healthy`, `unhealthy` or `starting`. */
  health?: 'healthy' | 'unhealthy' | 'starting';
  createdAt?: string;
  ports?: string;
}

/** `docker ps --format '{{json .}}'`: one JSON object per line. */
export function parseDockerPs(text: string, exitCode?: number): Parsed<DockerContainerSummary[]> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  if (exitCode !== undefined && exitCode !== 0) return unknown(`docker exited with ${exitCode}`, text);
  const containers: DockerContainerSummary[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    const parsed = tryParseJson(line);
    if (parsed === undefined || !isRecord(parsed.value)) return unknown(`not a JSON line (truncated?): ${line.slice(0, 80)}`, text);
    const value = parsed.value;
    if (typeof value.ID !== 'string' || typeof value.Image !== 'string' || typeof value.Status !== 'string') {
      return unknown('a line without ID, Image or Status', text);
    }
    const container: DockerContainerSummary = {
      id: value.ID,
      image: value.Image,
      names: typeof value.Names === 'string' ? value.Names.split(',') : [],
      status: value.Status,
    };
    if (typeof value.State === 'string' && value.State !== '') container.state = value.State;
    const health = /\((healthy|unhealthy|health: starting)\)/.exec(value.Status);
    if (health !== null) container.health = health[1] === 'health: starting' ? 'starting' : (health[1] as 'healthy' | 'unhealthy');
    if (typeof value.CreatedAt === 'string') container.createdAt = value.CreatedAt;
    if (typeof value.Ports === 'string') container.ports = value.Ports;
    containers.push(container);
  }
  return ok(containers);
}

export interface DockerContainerDetail {
  id: string;
  name: string;
  /** The image the container was created from (`Config.Image`), e.g. `rocketchat/rocket.chat:7.0.3`. */
  image: string;
  imageId?: string;
  status: string;
  running: boolean;
  restarting: boolean;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  /** Only for containers with a health check. */
  health?: { status: string; failingStreak?: number };
  restartCount?: number;
}

/**
 * `docker inspect NAME…` (a JSON array) or one Engine API object. Only state and identity are
 * kept: `Config.Env` often holds secrets and never leaves this function.
 */
export function parseDockerInspect(text: string, exitCode?: number): Parsed<DockerContainerDetail[]> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  const noSuch = /Error(?: response from daemon)?: No such (?:object|container): (\S+)/.exec(text);
  if (noSuch !== null) return unknown(`no such container: ${noSuch[1]}`, noSuch[0]);
  const parsed = tryParseJson(text.trim());
  if (parsed === undefined) return unknown('not JSON (truncated?)', `${text.length} characters, starting ${JSON.stringify(text.trim().slice(0, 40))}`);
  const objects = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  const containers: DockerContainerDetail[] = [];
  for (const object of objects) {
    const container = toContainerDetail(object);
    if (container === undefined) return unknown('an entry without Id, State or Config.Image', 'docker inspect output of unexpected shape');
    containers.push(container);
  }
  if (containers.length === 0) return unknown('no container in the answer', text);
  return ok(containers);
}

function toContainerDetail(object: unknown): DockerContainerDetail | undefined {
  if (!isRecord(object) || typeof object.Id !== 'string' || !isRecord(object.State) || !isRecord(object.Config)) return undefined;
  const state = object.State;
  if (typeof object.Config.Image !== 'string') return undefined;
  const running = state.Running === true;
  const detail: DockerContainerDetail = {
    id: object.Id,
    name: typeof object.Name === 'string' ? object.Name.replace(/^\//, '') : '',
    image: object.Config.Image,
    // Docker before 1.10 had no State.Status.
    status: typeof state.Status === 'string' ? state.Status : running ? 'running' : 'unknown',
    running,
    restarting: state.Restarting === true,
  };
  if (typeof object.Image === 'string') detail.imageId = object.Image;
  if (typeof state.ExitCode === 'number') detail.exitCode = state.ExitCode;
  if (typeof state.StartedAt === 'string') detail.startedAt = state.StartedAt;
  if (typeof state.FinishedAt === 'string' && !state.FinishedAt.startsWith('0001-')) detail.finishedAt = state.FinishedAt;
  if (isRecord(state.Health) && typeof state.Health.Status === 'string') {
    detail.health = { status: state.Health.Status };
    if (typeof state.Health.FailingStreak === 'number') detail.health.failingStreak = state.Health.FailingStreak;
  }
  if (typeof object.RestartCount === 'number') detail.restartCount = object.RestartCount;
  return detail;
}

/** `sha256sum FILE…`: digests, and the files it could not read (e.g. a missing OTA backup). */
export function parseSha256sum(text: string, exitCode?: number): Parsed<{ files: { path: string; sha256: string }[]; missing: string[] }> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  const files: { path: string; sha256: string }[] = [];
  const missing: string[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    const digest = /^\\?([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (digest !== null) {
      // A leading backslash means the name was escaped (it holds a newline or a backslash).
      const path = line.startsWith('\\') ? digest[2]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\') : digest[2]!;
      files.push({ path, sha256: digest[1]! });
      continue;
    }
    const absent = /^sha256sum: (.+): No such file or directory$/.exec(line);
    if (absent !== null) {
      missing.push(absent[1]!);
      continue;
    }
    return unknown(`unexpected sha256sum line: ${line.slice(0, 100)}`, text);
  }
  if (files.length === 0 && missing.length === 0) return unknown('empty output', text);
  return ok({ files, missing });
}

export interface FileStat {
  sizeBytes: number;
  /** Octal permission bits as printed by `%a`, e.g. `755`. */
  mode: string;
  owner: string;
  group: string;
  /** `%Y`: last modification, seconds since the epoch. */
  modifiedEpochSeconds: number;
  path: string;
}

/** `stat -c '%s %a %U %G %Y %n' FILE…`, and the files that do not exist. */
export function parseStat(text: string, exitCode?: number): Parsed<{ files: FileStat[]; missing: string[] }> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  const files: FileStat[] = [];
  const missing: string[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    const match = /^(\d+) ([0-7]{1,4}) (\S+) (\S+) (\d+) (.+)$/.exec(line);
    if (match !== null) {
      files.push({
        sizeBytes: Number(match[1]),
        mode: match[2]!,
        owner: match[3]!,
        group: match[4]!,
        modifiedEpochSeconds: Number(match[5]),
        path: match[6]!,
      });
      continue;
    }
    const absent = /^stat: cannot (?:stat|statx) '(.+)': No such file or directory$/.exec(line);
    if (absent !== null) {
      missing.push(absent[1]!);
      continue;
    }
    return unknown(`unexpected stat line: ${line.slice(0, 100)}`, text);
  }
  if (files.length === 0 && missing.length === 0) return unknown('empty output', text);
  return ok({ files, missing });
}
