import { posix } from 'node:path';
import { systemdRelative, systemdTimestamp } from '../clock';
import { formatExitStatus } from '../process';
import { normalizeUnitName, UnitNotFoundError, type JobResult, type Unit } from '../services';
import type { CommandContext, CommandRegistry } from '../shell';
import { formatTimespan } from '../unit-file';
import { getopt, has, usageError, value, values } from './util';

/** `systemctl` as systemd 252 prints it (Debian 12). */
export function registerSystemctl(registry: CommandRegistry): void {
  registry.register('systemctl', systemctl);
}

const privilegedVerbs = new Set(['start', 'stop', 'restart', 'try-restart', 'reload-or-restart', 'daemon-reload', 'enable', 'disable', 'reset-failed', 'kill', 'reload']);

async function systemctl(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'aql',
    values: 'pnts',
    longFlags: ['no-pager', 'no-legend', 'plain', 'no-block', 'value', 'all', 'quiet', 'full', 'now', 'system', 'failed', 'no-ask-password', 'show-types'],
    longValues: ['property', 'type', 'state', 'lines', 'signal', 'output'],
  });
  if (parsed.error) return usageError(ctx, 'systemctl', parsed.error);
  const [verb = 'list-units', ...units] = parsed.operands;
  if (privilegedVerbs.has(verb) && ctx.cred.uid !== 0) return accessDenied(ctx, verb, units);

  switch (verb) {
    case 'is-active':
    case 'is-failed':
      return isActive(ctx, verb, units, has(parsed, 'q', 'quiet'));
    case 'is-enabled':
      return isEnabled(ctx, units, has(parsed, 'q', 'quiet'));
    case 'show':
      return show(ctx, units, {
        properties: values(parsed, 'p', 'property').flatMap((p) => p.split(',')).filter(Boolean),
        valueOnly: has(parsed, 'value'),
        all: has(parsed, 'a', 'all'),
      });
    case 'status':
      return status(ctx, units, Number(value(parsed, 'n', 'lines') ?? 10));
    case 'cat':
      return cat(ctx, units);
    case 'start':
    case 'stop':
    case 'restart':
    case 'try-restart':
    case 'reload-or-restart':
      return job(ctx, verb, units, has(parsed, 'no-block'));
    case 'reload':
      for (const name of units) {
        const unit = normalizeUnitName(name);
        ctx.stderr.write(`Failed to reload ${unit}: Job type reload is not applicable for unit ${unit}.\n`);
      }
      return 1;
    case 'daemon-reload':
      ctx.host.services.daemonReload();
      return 0;
    case 'enable':
    case 'disable':
      return enableDisable(ctx, verb, units, has(parsed, 'now'));
    case 'reset-failed':
      for (const name of units.length > 0 ? units : ctx.host.services.units().map((u) => u.name)) ctx.host.services.resetFailed(name);
      return 0;
    case 'kill':
      for (const name of units) ctx.host.services.killMainProcess(name, signalNumber(value(parsed, 's', 'signal') ?? 'SIGTERM'));
      return 0;
    case 'list-units':
      return listUnits(ctx, units, {
        all: has(parsed, 'a', 'all'),
        failedOnly: has(parsed, 'failed'),
        states: values(parsed, 'state').flatMap((s) => s.split(',')),
        types: values(parsed, 't', 'type').flatMap((t) => t.split(',')),
        legend: !has(parsed, 'no-legend'),
        plain: has(parsed, 'plain'),
      });
    case 'list-unit-files':
      return listUnitFiles(ctx, !has(parsed, 'no-legend'));
    default:
      ctx.stderr.write(`Unknown command verb ${verb}.\n`);
      return 1;
  }
}

function accessDenied(ctx: CommandContext, verb: string, units: string[]): number {
  if (verb === 'daemon-reload') {
    ctx.stderr.write('Failed to reload daemon: Interactive authentication required.\n');
    return 1;
  }
  const unit = normalizeUnitName(units[0] ?? '');
  const action = verb === 'try-restart' || verb === 'reload-or-restart' ? 'restart' : verb;
  ctx.stderr.write(`Failed to ${action} ${unit}: Interactive authentication required.\nSee system logs and 'systemctl status ${unit}' for details.\n`);
  return 1;
}

function signalNumber(name: string): number {
  const table: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, TERM: 15 };
  const bare = name.replace(/^SIG/, '');
  return /^\d+$/.test(bare) ? Number(bare) : table[bare] ?? 15;
}

function changedOnDiskWarning(ctx: CommandContext, unit: Unit): void {
  if (ctx.host.services.needsDaemonReload(unit.name)) {
    ctx.stderr.write(
      `Warning: The unit file, source configuration file or drop-ins of ${unit.name} changed on disk. Run 'systemctl daemon-reload' to reload units.\n`,
    );
  }
}

// ---- jobs ----------------------------------------------------------------------------

async function job(ctx: CommandContext, verb: string, names: string[], noBlock: boolean): Promise<number> {
  if (names.length === 0) {
    ctx.stderr.write(`Too few arguments.\n`);
    return 1;
  }
  const services = ctx.host.services;
  let status = 0;
  for (const name of names) {
    const unit = services.unit(name);
    if (unit.loadState === 'not-found') {
      const action = verb === 'try-restart' || verb === 'reload-or-restart' ? 'restart' : verb;
      ctx.stderr.write(`Failed to ${action} ${unit.name}: Unit ${unit.name} ${verb === 'stop' ? 'not loaded' : 'not found'}.\n`);
      status = 5;
      continue;
    }
    changedOnDiskWarning(ctx, unit);
    if (verb === 'try-restart' && !unit.running) continue;
    const run = (): Promise<JobResult> =>
      verb === 'start' ? services.start(unit.name) : verb === 'stop' ? services.stop(unit.name) : services.restart(unit.name);
    const pending = run().catch((error: unknown) => {
      if (error instanceof UnitNotFoundError) return 'failed' as const;
      throw error;
    });
    if (noBlock) {
      void pending;
      continue;
    }
    const result = await Promise.race([pending, aborted(ctx.signal)]);
    if (result === 'aborted') return 130;
    if (result === 'failed' && verb !== 'stop') {
      ctx.stderr.write(jobFailure(services.unit(unit.name)));
      status = 1;
    }
  }
  return status;
}

function aborted(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}

const resultExplanations: Record<string, string> = {
  resources: 'of unavailable resources or another system error',
  protocol: 'the service did not take the steps required by its unit configuration',
  timeout: 'a timeout was exceeded',
  'exit-code': 'the control process exited with error code',
  signal: 'a fatal signal was delivered to the control process',
  'core-dump': 'a fatal signal was delivered causing the control process to dump core',
  watchdog: 'the service failed to send watchdog ping',
};

/** systemctl's `log_job_error_with_service_result()`. */
function jobFailure(unit: Unit): string {
  const explanation = resultExplanations[unit.result];
  const see = `See "systemctl status ${unit.name}" and "journalctl -xeu ${unit.name}" for details.\n`;
  return explanation ? `Job for ${unit.name} failed because ${explanation}.\n${see}` : `Job for ${unit.name} failed.\n${see}`;
}

async function enableDisable(ctx: CommandContext, verb: 'enable' | 'disable', names: string[], now: boolean): Promise<number> {
  const services = ctx.host.services;
  for (const name of names) {
    const unit = services.unit(name);
    if (unit.loadState === 'not-found') {
      ctx.stderr.write(`Failed to ${verb} unit: Unit file ${unit.name} does not exist.\n`);
      return 1;
    }
    const lines = verb === 'enable' ? services.enable(unit.name) : services.disable(unit.name);
    for (const line of lines) ctx.stderr.write(`${line}\n`);
    if (now) await (verb === 'enable' ? services.start(unit.name) : services.stop(unit.name));
  }
  return 0;
}

// ---- queries ---------------------------------------------------------------------------

function isActive(ctx: CommandContext, verb: 'is-active' | 'is-failed', names: string[], quiet: boolean): number {
  let matched = false;
  for (const name of names) {
    const state = ctx.host.services.unit(name).activeState;
    if (!quiet) ctx.stdout.write(`${state}\n`);
    if (verb === 'is-active' ? state === 'active' || state === 'reloading' : state === 'failed') matched = true;
  }
  return matched ? 0 : verb === 'is-active' ? 3 : 1;
}

function isEnabled(ctx: CommandContext, names: string[], quiet: boolean): number {
  let anyEnabled = false;
  for (const name of names) {
    const state = ctx.host.services.enablement(name);
    if (state === 'not-found') {
      ctx.stderr.write(`Failed to get unit file state for ${normalizeUnitName(name)}: No such file or directory\n`);
      return 1;
    }
    if (!quiet) ctx.stdout.write(`${state}\n`);
    if (state === 'enabled' || state === 'static') anyEnabled = true;
  }
  return anyEnabled ? 0 : 1;
}

function stampOf(ctx: CommandContext, ms: number | undefined): string {
  return ms === undefined ? '' : systemdTimestamp(ms, ctx.host.clock.timezone);
}

function monotonicOf(ctx: CommandContext, ms: number | undefined): string {
  return ms === undefined ? '0' : String(Math.max(0, Math.round((ms - ctx.host.metrics.bootedAtMs) * 1000)));
}

/** Properties in the order `systemctl show` prints them (Service interface first, then Unit). */
export function unitProperties(ctx: CommandContext, unit: Unit): Array<[string, string]> {
  const c = unit.config;
  const exit = unit.execMain.exit;
  const execCode = exit ? { exited: 1, killed: 2, dumped: 3 }[exit.code] : 0;
  const running = unit.running;
  const memory = running ? String(40_000_000 + (unit.mainPid % 97) * 131_072) : '[not set]';
  const execStart = c.execStart.length === 0 ? '' :
    `{ path=${c.execStart[0]} ; argv[]=${c.execStart.join(' ')} ; ignore_errors=no ; ` +
    `start_time=[${stampOf(ctx, unit.execMain.startMs) || 'n/a'}] ; stop_time=[${stampOf(ctx, unit.execMain.exitMs) || 'n/a'}] ; ` +
    `pid=${unit.execMain.pid} ; code=${exit ? exit.code : '(null)'} ; status=${exit ? formatExitStatus(exit) : '0/0'} }`;
  const loaded = unit.loadState !== 'not-found';
  const enablement = ctx.host.services.enablement(unit.name);
  const properties: Array<[string, string]> = [
    ['Type', c.type],
    ['ExitType', 'main'],
    ['Restart', c.restart],
    ['NotifyAccess', c.type === 'notify' ? 'main' : 'none'],
    ['RestartUSec', formatTimespan(c.restartMs)],
    ['TimeoutStartUSec', formatTimespan(c.timeoutStartMs)],
    ['TimeoutStopUSec', formatTimespan(c.timeoutStopMs)],
    ['RuntimeMaxUSec', 'infinity'],
    ['WatchdogUSec', '0'],
    ['RemainAfterExit', c.remainAfterExit ? 'yes' : 'no'],
    ['MainPID', String(unit.mainPid)],
    ['ControlPID', '0'],
    ['Result', unit.result],
    ['NRestarts', String(unit.nRestarts)],
    ['ExecMainStartTimestamp', stampOf(ctx, unit.execMain.startMs)],
    ['ExecMainStartTimestampMonotonic', monotonicOf(ctx, unit.execMain.startMs)],
    ['ExecMainExitTimestamp', stampOf(ctx, unit.execMain.exitMs)],
    ['ExecMainExitTimestampMonotonic', monotonicOf(ctx, unit.execMain.exitMs)],
    ['ExecMainPID', String(unit.execMain.pid)],
    ['ExecMainCode', String(execCode)],
    ['ExecMainStatus', String(exit?.status ?? 0)],
    ['ExecStart', execStart],
    ['WorkingDirectory', c.workingDirectory === '/' ? '!/' : c.workingDirectory],
    ['Environment', Object.entries(c.environment).map(([k, v]) => `${k}=${v}`).join(' ')],
    ['User', c.user === 'root' ? '' : c.user],
    ['Group', c.group],
    ['MemoryCurrent', memory],
    ['CPUUsageNSec', running ? String(1_200_000_000 + unit.mainPid * 1000) : '[not set]'],
    ['TasksCurrent', running ? String(8 + (unit.mainPid % 5)) : '[not set]'],
    ['Slice', 'system.slice'],
    ['ControlGroup', running ? `/system.slice/${unit.name}` : ''],
    ['Id', unit.name],
    ['Names', unit.name],
    ['Description', unit.description],
    ['LoadState', unit.loadState],
    ['ActiveState', unit.activeState],
    ['FreezerState', 'running'],
    ['SubState', unit.subState],
    ['FragmentPath', unit.fragmentPath],
    ['DropInPaths', unit.dropInPaths.join(' ')],
    ['UnitFileState', loaded ? enablement : ''],
    ['UnitFilePreset', loaded ? 'enabled' : ''],
    ['StateChangeTimestamp', stampOf(ctx, unit.stamps.stateChange)],
    ['StateChangeTimestampMonotonic', monotonicOf(ctx, unit.stamps.stateChange)],
    ['InactiveExitTimestamp', stampOf(ctx, unit.stamps.inactiveExit)],
    ['InactiveExitTimestampMonotonic', monotonicOf(ctx, unit.stamps.inactiveExit)],
    ['ActiveEnterTimestamp', stampOf(ctx, unit.stamps.activeEnter)],
    ['ActiveEnterTimestampMonotonic', monotonicOf(ctx, unit.stamps.activeEnter)],
    ['ActiveExitTimestamp', stampOf(ctx, unit.stamps.activeExit)],
    ['ActiveExitTimestampMonotonic', monotonicOf(ctx, unit.stamps.activeExit)],
    ['InactiveEnterTimestamp', stampOf(ctx, unit.stamps.inactiveEnter)],
    ['InactiveEnterTimestampMonotonic', monotonicOf(ctx, unit.stamps.inactiveEnter)],
    ['CanStart', loaded ? 'yes' : 'no'],
    ['CanStop', loaded ? 'yes' : 'no'],
    ['CanReload', 'no'],
    ['NeedDaemonReload', ctx.host.services.needsDaemonReload(unit.name) ? 'yes' : 'no'],
    ['StartLimitIntervalUSec', formatTimespan(c.startLimitIntervalMs)],
    ['StartLimitBurst', String(c.startLimitBurst)],
    ['StartLimitAction', 'none'],
    ['InvocationID', unit.invocationId],
  ];
  return properties;
}

function show(
  ctx: CommandContext,
  names: string[],
  options: { properties: string[]; valueOnly: boolean; all: boolean },
): number {
  if (names.length === 0) {
    // The manager's own properties.
    const lines = [['Version', '252.39-1~deb12u2'], ['Architecture', 'x86-64'], ['SystemState', systemState(ctx)]];
    for (const [key, val] of lines) {
      if (options.properties.length > 0 && !options.properties.includes(key!)) continue;
      ctx.stdout.write(options.valueOnly ? `${val}\n` : `${key}=${val}\n`);
    }
    return 0;
  }
  const blocks = names.map((name) => {
    const unit = ctx.host.services.unit(name);
    return unitProperties(ctx, unit)
      .filter(([key, val]) => (options.properties.length > 0 ? options.properties.includes(key) : options.all || val !== ''))
      .map(([key, val]) => (options.valueOnly ? `${val}\n` : `${key}=${val}\n`))
      .join('');
  });
  ctx.stdout.write(blocks.join('\n'));
  return 0;
}

function systemState(ctx: CommandContext): string {
  return ctx.host.services.units().some((u) => u.activeState === 'failed') ? 'degraded' : 'running';
}

function canReadJournal(ctx: CommandContext): boolean {
  return ctx.cred.uid === 0 || ctx.host.accounts.inGroup(ctx.cred, 'adm') || ctx.host.accounts.inGroup(ctx.cred, 'systemd-journal');
}

function glyph(unit: Unit): string {
  if (unit.activeState === 'failed') return '\u00d7';
  if (unit.activeState === 'inactive') return '\u25cb';
  return '\u25cf';
}

function status(ctx: CommandContext, names: string[], lines: number): number {
  if (names.length === 0) return systemStatus(ctx);
  const services = ctx.host.services;
  const now = ctx.host.clock.now();
  let exitCode = 0;
  const blocks: string[] = [];
  for (const name of names) {
    const unit = services.unit(name);
    if (unit.loadState === 'not-found') {
      ctx.stderr.write(`Unit ${unit.name} could not be found.\n`);
      exitCode = 4;
      continue;
    }
    const out: string[] = [];
    const field = (label: string, text: string): void => {
      out.push(`${label.padStart(11)}: ${text}`);
    };
    out.push(`${glyph(unit)} ${unit.name} - ${unit.description}`);
    field('Loaded', `${unit.loadState} (${unit.fragmentPath}; ${services.enablement(unit.name)}; preset: enabled)`);
    if (unit.dropInPaths.length > 0) {
      const dir = posix.dirname(unit.dropInPaths[0]!);
      field('Drop-In', dir);
      for (const path of unit.dropInPaths) out.push(`${' '.repeat(13)}\u2514\u2500${posix.basename(path)}`);
    }
    const sinceMs =
      unit.activeState === 'active' || unit.activeState === 'reloading' ? unit.stamps.activeEnter
        : unit.activeState === 'activating' ? unit.stamps.inactiveExit
          : unit.activeState === 'deactivating' ? unit.stamps.activeExit
            : unit.stamps.inactiveEnter;
    const result = unit.result !== 'success' && (unit.activeState === 'failed' || unit.subState === 'auto-restart')
      ? ` (Result: ${unit.result})` : '';
    const state = unit.activeState === 'failed' ? 'failed' : `${unit.activeState} (${unit.subState})`;
    const since = sinceMs === undefined ? '' : ` since ${systemdTimestamp(sinceMs, ctx.host.clock.timezone)}; ${systemdRelative(now - sinceMs)}`;
    field('Active', `${state}${result}${since}`);
    const exit = unit.execMain.exit;
    if (!unit.running && unit.stamps.activeEnter !== undefined && unit.stamps.activeExit !== undefined && unit.stamps.activeExit >= unit.stamps.activeEnter) {
      field('Duration', formatTimespan(Math.max(1, unit.stamps.activeExit - unit.stamps.activeEnter), 1));
    }
    const exe = unit.config.execStart[0] ?? '';
    if (!unit.running && exit) {
      field('Process', `${unit.execMain.pid} ExecStart=${unit.config.execStart.join(' ')} (code=${exit.code}, status=${formatExitStatus(exit)})`);
      field('Main PID', `${unit.execMain.pid} (code=${exit.code}, status=${formatExitStatus(exit)})`);
    } else if (unit.running) {
      field('Main PID', `${unit.mainPid} (${posix.basename(exe).slice(0, 15)})`);
      field('Tasks', `${8 + (unit.mainPid % 5)} (limit: 4652)`);
      field('Memory', `${(38 + (unit.mainPid % 97) / 8).toFixed(1)}M`);
      field('CPU', formatTimespan(1200 + (unit.mainPid % 500), 1));
      field('CGroup', `/system.slice/${unit.name}`);
      out.push(`${' '.repeat(13)}\u2514\u2500${unit.mainPid} ${unit.config.execStart.join(' ')}`);
    }
    if (canReadJournal(ctx) && lines > 0) {
      const entries = ctx.host.journal.query({ units: [unit.name], lines });
      if (entries.length > 0) {
        out.push('');
        for (const entry of entries) out.push(ctx.host.journal.formatShort(entry));
      }
    }
    blocks.push(`${out.join('\n')}\n`);
    if (services.needsDaemonReload(unit.name)) {
      blocks[blocks.length - 1] += `Warning: The unit file, source configuration file or drop-ins of ${unit.name} changed on disk. Run 'systemctl daemon-reload' to reload units.\n`;
    }
    if (unit.activeState !== 'active' && unit.activeState !== 'reloading' && exitCode === 0) exitCode = 3;
  }
  ctx.stdout.write(blocks.join('\n'));
  return exitCode;
}

function systemStatus(ctx: CommandContext): number {
  const units = ctx.host.services.units();
  const failed = units.filter((u) => u.activeState === 'failed').length;
  const booted = ctx.host.metrics.bootedAtMs;
  const state = systemState(ctx);
  ctx.stdout.write(
    `${state === 'running' ? '\u25cf' : '\u00d7'} ${ctx.host.hostname}\n` +
    `    State: ${state}\n` +
    `    Units: ${units.length} loaded (incl. loaded aliases)\n` +
    '     Jobs: 0 queued\n' +
    `   Failed: ${failed} units\n` +
    `    Since: ${systemdTimestamp(booted, ctx.host.clock.timezone)}; ${systemdRelative(ctx.host.clock.now() - booted)}\n` +
    '  systemd: 252.39-1~deb12u2\n' +
    '   CGroup: /\n',
  );
  return 0;
}

function cat(ctx: CommandContext, names: string[]): number {
  const services = ctx.host.services;
  const parts: string[] = [];
  for (const name of names) {
    const unit = services.unit(name);
    if (unit.loadState === 'not-found') {
      ctx.stderr.write(`No files found for ${unit.name}.\n`);
      return 1;
    }
    for (const path of [unit.fragmentPath, ...unit.dropInPaths]) {
      let text: string;
      try {
        text = ctx.host.vfs.readFile(path).toString('utf8');
      } catch {
        continue;
      }
      parts.push(`# ${path}\n${text.endsWith('\n') ? text : `${text}\n`}`);
    }
  }
  ctx.stdout.write(parts.join('\n'));
  return 0;
}

function listUnits(
  ctx: CommandContext,
  patterns: string[],
  options: { all: boolean; failedOnly: boolean; states: string[]; types: string[]; legend: boolean; plain: boolean },
): number {
  const matchesPattern = (name: string): boolean =>
    patterns.length === 0 || patterns.some((p) => new RegExp(`^${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name));
  const units = ctx.host.services.units().filter((unit) => {
    if (options.types.length > 0 && !options.types.includes('service')) return false;
    if (!matchesPattern(unit.name)) return false;
    if (options.failedOnly) return unit.activeState === 'failed';
    if (options.states.length > 0) return options.states.some((s) => [unit.activeState, unit.subState, unit.loadState].includes(s));
    return options.all || unit.activeState !== 'inactive';
  });
  const rows = units.map((u) => [u.name, u.loadState, u.activeState, u.subState, u.description]);
  const header = ['UNIT', 'LOAD', 'ACTIVE', 'SUB', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[], mark: string): string => {
    const line = cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join(' ');
    return options.plain ? `${line}\n` : `${mark} ${line}\n`;
  };
  let out = '';
  if (options.legend) out += render(header, ' ');
  units.forEach((unit, index) => {
    out += render(rows[index]!, unit.activeState === 'failed' ? '\u25cf' : ' ');
  });
  if (options.legend) {
    out +=
      '\nLOAD   = Reflects whether the unit definition was properly loaded.\n' +
      'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n' +
      'SUB    = The low-level unit activation state, values depend on unit type.\n' +
      `${units.length} loaded units listed.${options.all ? '' : ' Pass --all to see loaded but inactive units, too.'}\n` +
      "To show all installed unit files use 'systemctl list-unit-files'.\n";
  }
  ctx.stdout.write(out);
  return 0;
}

function listUnitFiles(ctx: CommandContext, legend: boolean): number {
  const services = ctx.host.services;
  const units = services.units();
  const rows = units.map((u) => [u.name, services.enablement(u.name), 'enabled']);
  const header = ['UNIT FILE', 'STATE', 'PRESET'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]): string => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' ')}\n`;
  let out = legend ? render(header) : '';
  for (const row of rows) out += render(row);
  if (legend) out += `\n${rows.length} unit files listed.\n`;
  ctx.stdout.write(out);
  return 0;
}
