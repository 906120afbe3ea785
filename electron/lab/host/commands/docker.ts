import type { Container } from '../containers';
import type { CommandContext, CommandRegistry } from '../shell';
import { getopt, has, value, values } from './util';

/** The docker CLI (ps, inspect, restart, start, stop, logs) over the host's container runtime. */
export function registerDocker(registry: CommandRegistry): void {
  registry.register('docker', docker);
}

const apiPaths: Record<string, (ref: string) => string> = {
  ps: () => 'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json"',
  inspect: (ref) => `Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/${ref}/json"`,
  restart: (ref) => `Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/${ref}/restart"`,
  start: (ref) => `Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/${ref}/start"`,
  stop: (ref) => `Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/${ref}/stop"`,
  logs: (ref) => `Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/${ref}/logs?stderr=1&stdout=1&tail=all"`,
};

async function docker(ctx: CommandContext): Promise<number> {
  const [command, ...args] = ctx.argv.slice(1);
  if (command === '--version' || command === 'version') {
    ctx.stdout.write('Docker version 20.10.24+dfsg1, build 297e128\n');
    return 0;
  }
  if (command === undefined || !(command in apiPaths)) {
    ctx.stderr.write(command === undefined ? "Usage:  docker [OPTIONS] COMMAND\n" : `docker: '${command}' is not a docker command.\nSee 'docker --help'\n`);
    return 1;
  }
  const allowed = ctx.cred.uid === 0 || ctx.host.accounts.inGroup(ctx.cred, 'docker');
  if (!allowed) {
    const ref = args.find((a) => !a.startsWith('-')) ?? '';
    ctx.stderr.write(
      'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: ' +
      `${apiPaths[command]!(ref)}: dial unix /var/run/docker.sock: connect: permission denied\n`,
    );
    return 1;
  }
  switch (command) {
    case 'ps':
      return ps(ctx, args);
    case 'inspect':
      return inspect(ctx, args);
    case 'logs':
      return logs(ctx, args);
    default:
      return lifecycle(ctx, command as 'restart' | 'start' | 'stop', args);
  }
}

function ps(ctx: CommandContext, args: string[]): number {
  const parsed = getopt(args, { flags: 'aqs', values: 'fn', longFlags: ['all', 'quiet', 'no-trunc', 'size'], longValues: ['format', 'filter'] });
  if (parsed.error) return dockerUsage(ctx, 'ps', parsed.error);
  const runtime = ctx.host.containers;
  let containers = runtime.list({ all: has(parsed, 'a', 'all') });
  for (const filter of values(parsed, 'f', 'filter')) {
    const [key, expected = ''] = filter.split('=');
    containers = containers.filter((c) => {
      if (key === 'name') return c.name.includes(expected);
      if (key === 'status') return c.status === expected;
      if (key === 'id') return c.id.startsWith(expected);
      if (key === 'ancestor') return c.spec.image === expected || c.spec.image.startsWith(`${expected}:`);
      if (key === 'label') {
        const [labelKey, labelValue] = expected.split('=');
        const labels = c.spec.labels ?? {};
        return labelKey! in labels && (labelValue === undefined || labels[labelKey!] === labelValue);
      }
      return true;
    });
  }
  if (has(parsed, 'q', 'quiet')) {
    ctx.stdout.write(containers.map((c) => `${has(parsed, 'no-trunc') ? c.id : c.id.slice(0, 12)}\n`).join(''));
    return 0;
  }
  const format = value(parsed, 'format') ?? 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
  const rows = containers.map((c) => runtime.psFields(c));
  ctx.stdout.write(renderTemplate(format, rows, psHeaders));
  return 0;
}

const psHeaders: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Status: 'STATUS',
  Ports: 'PORTS', Names: 'NAMES', State: 'STATE', Size: 'SIZE', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

function inspect(ctx: CommandContext, args: string[]): number {
  const parsed = getopt(args, { flags: 's', values: 'f', longFlags: ['size'], longValues: ['format', 'type'] });
  if (parsed.error) return dockerUsage(ctx, 'inspect', parsed.error);
  if (parsed.operands.length === 0) return dockerUsage(ctx, 'inspect', '"docker inspect" requires at least 1 argument.');
  const runtime = ctx.host.containers;
  const found: Array<Record<string, unknown>> = [];
  const missing: string[] = [];
  for (const ref of parsed.operands) {
    const container = runtime.find(ref);
    if (container) found.push(runtime.inspect(container));
    else missing.push(ref);
  }
  const format = value(parsed, 'f', 'format');
  if (format !== undefined) {
    for (const object of found) ctx.stdout.write(`${renderOne(format, object)}\n`);
  } else {
    ctx.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  }
  for (const ref of missing) ctx.stderr.write(`Error: No such object: ${ref}\n`);
  return missing.length > 0 ? 1 : 0;
}

async function lifecycle(ctx: CommandContext, command: 'restart' | 'start' | 'stop', args: string[]): Promise<number> {
  const parsed = getopt(args, { values: 't', longValues: ['time', 'signal'] });
  if (parsed.error) return dockerUsage(ctx, command, parsed.error);
  if (parsed.operands.length === 0) return dockerUsage(ctx, command, `"docker ${command}" requires at least 1 argument.`);
  const runtime = ctx.host.containers;
  const timeout = Number(value(parsed, 't', 'time') ?? 10);
  let status = 0;
  for (const ref of parsed.operands) {
    const container = runtime.find(ref);
    if (!container) {
      ctx.stderr.write(`Error response from daemon: No such container: ${ref}\n`);
      status = 1;
      continue;
    }
    if (command === 'restart') await runtime.restart(container, timeout);
    else if (command === 'stop') await runtime.stop(container, timeout);
    else await runtime.start(container);
    ctx.stdout.write(`${ref}\n`);
  }
  return status;
}

function logs(ctx: CommandContext, args: string[]): number {
  const parsed = getopt(args, { flags: 'tf', values: 'n', longFlags: ['timestamps', 'follow'], longValues: ['tail', 'since'] });
  if (parsed.error) return dockerUsage(ctx, 'logs', parsed.error);
  const ref = parsed.operands[0];
  if (!ref) return dockerUsage(ctx, 'logs', '"docker logs" requires exactly 1 argument.');
  const container: Container | undefined = ctx.host.containers.find(ref);
  if (!container) {
    ctx.stderr.write(`Error response from daemon: No such container: ${ref}\n`);
    return 1;
  }
  const tail = value(parsed, 'n', 'tail');
  let lines = container.logs;
  if (tail !== undefined && tail !== 'all') lines = lines.slice(-Number(tail));
  for (const line of lines) {
    const stamp = has(parsed, 't', 'timestamps') ? `${new Date(line.timeMs).toISOString().replace('Z', '000000Z')} ` : '';
    (line.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(`${stamp}${line.line}\n`);
  }
  return 0;
}

function dockerUsage(ctx: CommandContext, command: string, message: string): number {
  ctx.stderr.write(`${message}\nSee 'docker ${command} --help'.\n`);
  return 1;
}

// ---- Go templates (the subset `--format` strings use) ------------------------------------------

function renderTemplate(format: string, rows: Array<Record<string, unknown>>, headers: Record<string, string>): string {
  const expanded = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  if (!expanded.startsWith('table')) return rows.map((row) => `${renderOne(expanded, row)}\n`).join('');
  const body = expanded.replace(/^table\s*/, '');
  const header = body.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name: string) => headers[name] ?? name.toUpperCase());
  const lines = [header, ...rows.map((row) => renderOne(body, row))];
  return tabwriter(lines);
}

/** Go's text/tabwriter as docker configures it: minwidth 10, padding 3, spaces. */
function tabwriter(lines: string[]): string {
  const cells = lines.map((line) => line.split('\t'));
  const columns = Math.max(...cells.map((row) => row.length));
  const widths: number[] = [];
  for (let column = 0; column < columns - 1; column++) {
    widths[column] = Math.max(10, ...cells.map((row) => (column < row.length - 1 ? [...row[column]!].length + 3 : 0)));
  }
  return cells
    .map((row) => row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('').trimEnd())
    .map((line) => `${line}\n`)
    .join('');
}

function renderOne(format: string, dot: unknown): string {
  return format.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, expression: string) => {
    const words = expression.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    const [head, ...args] = words;
    const resolve = (word: string): unknown => (word.startsWith('"') ? JSON.parse(word) : path(dot, word));
    switch (head) {
      case 'json':
        return JSON.stringify(resolve(args[0] ?? '.'));
      case 'index': {
        const base = resolve(args[0] ?? '.') as Record<string, unknown> | unknown[] | undefined;
        const key = args[1] === undefined ? undefined : resolve(args[1]);
        const found = base && typeof base === 'object' ? (base as Record<string, unknown>)[String(key)] : undefined;
        return goString(found);
      }
      case 'upper':
        return goString(resolve(args[0] ?? '.')).toUpperCase();
      case 'lower':
        return goString(resolve(args[0] ?? '.')).toLowerCase();
      default:
        return goString(resolve(head ?? '.'));
    }
  });
}

function path(dot: unknown, expression: string): unknown {
  if (expression === '.') return dot;
  let current: unknown = dot;
  for (const part of expression.replace(/^\./, '').split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** How Go's fmt prints a value in a template: slices `[a b]`, maps `map[k:v]`, nil `<no value>`. */
function goString(value: unknown): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, v]) => `${k}:${goString(v)}`).join(' ')}]`;
  }
  return String(value);
}
