import type { CommandContext, CommandRegistry } from '../shell';
import { getopt, has } from './util';

/**
 * `socat` and `nc` as admins use them against Unix sockets (HAProxy's runtime API:
 * `echo 'show stat' | socat stdio /run/haproxy/admin.sock`), plus `nc -z` port checks.
 */
export function registerSocketCommands(registry: CommandRegistry): void {
  registry.register('socat', socat);
  registry.register('nc', nc);
  registry.register('netcat', nc);
}

const stdioAddresses = new Set(['stdio', '-', 'stdin', 'stdout', 'readline']);

/** The Unix socket path an address names, or undefined for stdio. */
function socketPath(address: string): string | undefined {
  const lower = address.toLowerCase();
  if (stdioAddresses.has(lower)) return undefined;
  const match = /^(unix-connect|unix-client|unix|local|gopen|open):(.+?)(,.*)?$/i.exec(address);
  if (match) return match[2];
  return address.split(',')[0];
}

async function talk(ctx: CommandContext, program: string, path: string): Promise<number> {
  const absolute = ctx.resolve(path);
  const vfs = ctx.host.vfs;
  const failure = (message: string): number => {
    if (program === 'socat') {
      const stamp = ctx.host.clock.format('%Y/%m/%d %H:%M:%S');
      ctx.stderr.write(`${stamp} socat[${ctx.host.pids.next()}] E connect(5, AF=1 "${path}", ${Buffer.byteLength(path) + 3}): ${message}\n`);
    } else {
      ctx.stderr.write(`nc: unix connect failed: ${message}\n`);
    }
    return 1;
  };
  let kind;
  try {
    kind = vfs.stat(absolute, ctx.cred).kind;
  } catch {
    return failure('No such file or directory');
  }
  if (kind !== 'socket') return failure('Connection refused');
  if (!vfs.access(absolute, ctx.cred, 'w')) return failure('Permission denied');
  const handler = ctx.host.sockets.handler(vfs.realpath(absolute));
  if (!handler) return failure('Connection refused');
  const input = (await ctx.stdin.readAll(ctx.signal)).toString('utf8');
  ctx.stdout.write(await handler(input, ctx.signal));
  return 0;
}

async function socat(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'dvuUhV', values: 'tTbl' });
  if (parsed.error) {
    ctx.stderr.write(`socat: ${parsed.error}\n`);
    return 1;
  }
  const [first, second] = parsed.operands;
  if (first === undefined || second === undefined) {
    const stamp = ctx.host.clock.format('%Y/%m/%d %H:%M:%S');
    ctx.stderr.write(`${stamp} socat[${ctx.host.pids.next()}] E exactly 2 addresses required (there are ${parsed.operands.length}); use option "-h" for help\n`);
    return 1;
  }
  const path = socketPath(first) ?? socketPath(second);
  if (path === undefined) {
    // stdio to stdio: a copy.
    ctx.stdout.write(await ctx.stdin.readAll(ctx.signal));
    return 0;
  }
  return talk(ctx, 'socat', path);
}

async function nc(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'Uzvnq46N', values: 'wW' });
  if (parsed.error) {
    ctx.stderr.write(`nc: ${parsed.error}\n`);
    return 1;
  }
  if (has(parsed, 'U')) {
    const path = parsed.operands[0];
    if (!path) {
      ctx.stderr.write('usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n');
      return 1;
    }
    return talk(ctx, 'nc', path);
  }
  const [host, portText] = parsed.operands;
  if (!host || !portText || !has(parsed, 'z')) {
    ctx.stderr.write('nc: the lab supports `nc -z HOST PORT` and `nc -U SOCKET`\n');
    return 1;
  }
  const port = Number(portText);
  const endpoints = ctx.host.network.resolve(host);
  if (!endpoints) {
    ctx.stderr.write(`nc: getaddrinfo for host "${host}" port ${port}: Name or service not known\n`);
    return 1;
  }
  const open = endpoints.isListening(port);
  if (has(parsed, 'v')) {
    ctx.stderr.write(open
      ? `Connection to ${host} (127.0.0.1) ${port} port [tcp/*] succeeded!\n`
      : `nc: connect to ${host} (127.0.0.1) port ${port} (tcp) failed: Connection refused\n`);
  }
  return open ? 0 : 1;
}
