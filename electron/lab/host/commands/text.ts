import { posix } from 'node:path';
import { strftime } from '../clock';
import type { CommandContext, CommandRegistry } from '../shell';
import { fail, getopt, has, reason, usageError, value, values } from './util';

/** Text tools, filters and small system commands (coreutils, procps, grep). */
export function registerTextCommands(registry: CommandRegistry): void {
  registry.register('true', () => 0);
  registry.register('false', () => 1);
  registry.register('echo', echo);
  registry.register('printf', printfCommand);
  registry.register('head', (ctx) => headTail(ctx, 'head'));
  registry.register('tail', (ctx) => headTail(ctx, 'tail'));
  registry.register('grep', grep);
  registry.register('wc', wc);
  registry.register('sleep', sleep);
  registry.register('date', date);
  registry.register('hostname', hostname);
  registry.register('uptime', uptime);
  registry.register('id', id);
  registry.register('whoami', (ctx) => {
    ctx.stdout.write(`${ctx.user.name}\n`);
    return 0;
  });
  registry.register('env', env);
  registry.register('timeout', timeout);
  registry.register('nproc', (ctx) => {
    ctx.stdout.write('2\n');
    return 0;
  });
  registry.register('uname', uname);
  for (const name of ['sh', 'dash', 'bash']) registry.register(name, shell);
}

// ---- echo / printf ---------------------------------------------------------------------

/** Backslash escapes as echo -e / dash's echo / printf %b interpret them; `\c` stops output. */
function interpretEscapes(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\' || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[++i]!;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '\\': '\\' };
    if (next in simple) out += simple[next];
    else if (next === 'c') return { text: out, stop: true };
    else if (next === '0' || /[1-7]/.test(next)) {
      const digits = /^[0-7]{0,3}/.exec(text.slice(next === '0' ? i + 1 : i))![0];
      out += String.fromCharCode(parseInt(digits || '0', 8));
      i += next === '0' ? digits.length : digits.length - 1;
    } else if (next === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1))?.[0];
      if (hex) {
        out += String.fromCharCode(parseInt(hex, 16));
        i += hex.length;
      } else out += '\\x';
    } else out += `\\${next}`;
  }
  return { text: out, stop: false };
}

function echo(ctx: CommandContext): number {
  let args = ctx.argv.slice(1);
  let newline = true;
  // bash's echo takes -n/-e/-E; dash's only -n and always interprets escapes.
  let escapes = ctx.shellKind === 'dash';
  while (args.length > 0 && /^-[neE]+$/.test(args[0]!) && (ctx.shellKind === 'bash' || args[0] === '-n')) {
    for (const letter of args[0]!.slice(1)) {
      if (letter === 'n') newline = false;
      if (letter === 'e') escapes = true;
      if (letter === 'E') escapes = false;
    }
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) {
    const result = interpretEscapes(text);
    text = result.text;
    if (result.stop) newline = false;
  }
  ctx.stdout.write(newline ? `${text}\n` : text);
  return 0;
}

function printfCommand(ctx: CommandContext): number {
  const [format, ...args] = ctx.argv.slice(1);
  if (format === undefined) {
    return fail(ctx, ctx.shellKind === 'bash' ? `${ctx.shellPrefix}printf: usage: printf [-v var] format [arguments]` : `${ctx.shellPrefix}printf: usage: printf format [arg ...]`, 2);
  }
  const result = formatPrintf(format, args);
  ctx.stdout.write(result.output);
  for (const bad of result.invalidNumbers) ctx.stderr.write(`${ctx.shellPrefix}printf: ${bad}: invalid number\n`);
  return result.invalidNumbers.length > 0 ? 1 : 0;
}

/** POSIX printf: the format is reused until all arguments are consumed. */
export function formatPrintf(format: string, args: string[]): { output: string; invalidNumbers: string[] } {
  let output = '';
  const invalidNumbers: string[] = [];
  let index = 0;
  const next = (): string | undefined => args[index++];
  const number = (text: string | undefined): number => {
    if (text === undefined || text === '') return 0;
    if (/^['"]./.test(text)) return text.codePointAt(1)!;
    const n = Number(text.trim());
    if (Number.isNaN(n)) {
      invalidNumbers.push(text);
      return parseFloat(text) || 0;
    }
    return n;
  };
  do {
    let stop = false;
    const pattern = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([sbcdiouxXfeEgG%])|\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)|[^%\\]+|[%\\]/g;
    let match: RegExpExecArray | null;
    const consumedBefore = index;
    while ((match = pattern.exec(format)) !== null && !stop) {
      const [whole, flags = '', widthSpec, precisionSpec, conversion] = match;
      if (!conversion) {
        if (whole.startsWith('\\')) {
          const escaped = interpretEscapes(whole);
          output += escaped.text;
          if (escaped.stop) stop = true;
        } else output += whole;
        continue;
      }
      if (conversion === '%') {
        output += '%';
        continue;
      }
      const width = widthSpec === '*' ? number(next()) : widthSpec ? Number(widthSpec) : 0;
      const precision = precisionSpec === '*' ? number(next()) : precisionSpec !== undefined ? Number(precisionSpec) : undefined;
      const arg = next();
      let text: string;
      switch (conversion) {
        case 's':
          text = arg ?? '';
          if (precision !== undefined) text = text.slice(0, precision);
          break;
        case 'b': {
          const escaped = interpretEscapes(arg ?? '');
          text = escaped.text;
          if (escaped.stop) stop = true;
          break;
        }
        case 'c':
          text = (arg ?? '').slice(0, 1);
          break;
        case 'd':
        case 'i':
        case 'u': {
          const n = Math.trunc(number(arg));
          text = String(Math.abs(n));
          if (precision !== undefined) text = text.padStart(precision, '0');
          text = (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + text;
          break;
        }
        case 'o':
          text = Math.trunc(number(arg)).toString(8);
          break;
        case 'x':
        case 'X':
          text = Math.trunc(number(arg)).toString(16);
          if (conversion === 'X') text = text.toUpperCase();
          break;
        case 'e':
        case 'E':
          text = number(arg).toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
          if (conversion === 'E') text = text.toUpperCase();
          break;
        case 'g':
        case 'G':
          text = String(Number(number(arg).toPrecision(precision || 6)));
          break;
        default:
          text = number(arg).toFixed(precision ?? 6);
          if (flags.includes('+') && !text.startsWith('-')) text = `+${text}`;
      }
      if (text.length < width) {
        const zeroPad = flags.includes('0') && !flags.includes('-') && /[diouxXfeEgG]/.test(conversion);
        if (flags.includes('-')) text = text.padEnd(width);
        else if (zeroPad) {
          const sign = /^[-+ ]/.test(text) ? text[0]! : '';
          text = sign + text.slice(sign.length).padStart(width - sign.length, '0');
        } else text = text.padStart(width);
      }
      output += text;
    }
    if (stop || index === consumedBefore) break;
  } while (index < args.length);
  return { output, invalidNumbers };
}

// ---- head / tail / grep / wc -------------------------------------------------------------

async function inputs(ctx: CommandContext, program: string, operands: string[]): Promise<Array<{ name: string; data?: Buffer }>> {
  const list = operands.length > 0 ? operands : ['-'];
  const result: Array<{ name: string; data?: Buffer }> = [];
  for (const operand of list) {
    try {
      const data = operand === '-' ? await ctx.stdin.readAll(ctx.signal) : ctx.host.vfs.readFile(ctx.resolve(operand), ctx.cred);
      result.push({ name: operand, data });
    } catch (error) {
      ctx.stderr.write(`${program}: ${program === 'head' || program === 'tail' ? `cannot open '${operand}' for reading` : operand}: ${reason(error)}\n`);
      result.push({ name: operand });
    }
  }
  return result;
}

function splitLinesKeep(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

async function headTail(ctx: CommandContext, program: 'head' | 'tail'): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'qvf', values: 'nc', longValues: ['lines', 'bytes'], longFlags: ['quiet', 'silent', 'verbose'], digitsAs: 'n',
  });
  if (parsed.error) return usageError(ctx, program, parsed.error);
  if (has(parsed, 'f')) return fail(ctx, `${program}: following files (-f) is not supported by the lab`);
  const linesText = value(parsed, 'n', 'lines') ?? '10';
  const bytesText = value(parsed, 'c', 'bytes');
  if (program === 'head' && bytesText === undefined && /^\+?\d+$/.test(linesText) && parsed.operands.every((operand) => operand === '-') && parsed.operands.length <= 1) {
    return headOfStdin(ctx, Number(linesText.replace('+', '')));
  }
  const files = await inputs(ctx, program, parsed.operands);
  const headers = files.length > 1 && !has(parsed, 'q', 'quiet', 'silent');
  let status = 0;
  files.forEach((file, index) => {
    if (!file.data) {
      status = 1;
      return;
    }
    if (headers) ctx.stdout.write(`${index > 0 ? '\n' : ''}==> ${file.name === '-' ? 'standard input' : file.name} <==\n`);
    if (bytesText !== undefined) {
      const n = Number(bytesText.replace(/^[+-]/, ''));
      const data = file.data;
      ctx.stdout.write(program === 'head'
        ? (bytesText.startsWith('-') ? data.subarray(0, Math.max(0, data.length - n)) : data.subarray(0, n))
        : (bytesText.startsWith('+') ? data.subarray(Math.max(0, n - 1)) : data.subarray(Math.max(0, data.length - n))));
      return;
    }
    const lines = splitLinesKeep(file.data.toString('utf8'));
    const n = Number(linesText.replace(/^[+-]/, ''));
    let selected: string[];
    if (program === 'head') selected = linesText.startsWith('-') ? lines.slice(0, Math.max(0, lines.length - n)) : lines.slice(0, n);
    else selected = linesText.startsWith('+') ? lines.slice(Math.max(0, n - 1)) : n === 0 ? [] : lines.slice(-n);
    ctx.stdout.write(selected.join(''));
  });
  return status;
}

/** `head -n N` on a pipe: reads only the lines it prints and exits, so the writer gets SIGPIPE as on a real host. */
async function headOfStdin(ctx: CommandContext, lines: number): Promise<number> {
  for (let i = 0; i < lines; i++) {
    const line = await ctx.stdin.readLine(ctx.signal, true);
    if (line === null) break;
    ctx.stdout.write(line);
  }
  return 0;
}

/** POSIX basic regular expressions to JavaScript: `\(`, `\|`, `\{` are the special ones there. */
function breToJs(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      out += '(){}|+?'.includes(next) ? next : `\\${next}`;
    } else if ('(){}|+?'.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

async function grep(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'ivcqEFnowxshHlL',
    values: 'emA',
    longFlags: ['ignore-case', 'invert-match', 'count', 'quiet', 'silent', 'extended-regexp', 'fixed-strings', 'line-number', 'only-matching', 'word-regexp', 'line-regexp', 'no-messages'],
    longValues: ['regexp', 'max-count'],
  });
  if (parsed.error) return usageError(ctx, 'grep', parsed.error, 2);
  const explicit = values(parsed, 'e', 'regexp');
  const operands = [...parsed.operands];
  const patterns = explicit.length > 0 ? explicit : operands.length > 0 ? [operands.shift()!] : undefined;
  if (!patterns) {
    ctx.stderr.write("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  const sources = patterns.flatMap((p) => p.split('\n')).map((p) => {
    if (has(parsed, 'F', 'fixed-strings')) return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return has(parsed, 'E', 'extended-regexp') ? p : breToJs(p);
  });
  let source = sources.map((s) => `(?:${s})`).join('|');
  if (has(parsed, 'w', 'word-regexp')) source = `(?<![\\w])(?:${source})(?![\\w])`;
  if (has(parsed, 'x', 'line-regexp')) source = `^(?:${source})$`;
  let regex: RegExp;
  try {
    regex = new RegExp(source, has(parsed, 'i', 'ignore-case') ? 'i' : '');
  } catch (error) {
    return fail(ctx, `grep: ${reason(error)}`, 2);
  }
  const invert = has(parsed, 'v', 'invert-match');
  const quiet = has(parsed, 'q', 'quiet', 'silent');
  const maxCount = value(parsed, 'm', 'max-count');
  const files = await inputs(ctx, 'grep', operands);
  const showNames = (files.length > 1 || has(parsed, 'H')) && !has(parsed, 'h');
  let matchedAny = false;
  let hadError = false;
  for (const file of files) {
    if (!file.data) {
      hadError = true;
      continue;
    }
    const label = file.name === '-' ? '(standard input)' : file.name;
    const lines = file.data.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let count = 0;
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!;
      if (regex.test(line) === invert) continue;
      count++;
      matchedAny = true;
      if (quiet) return 0;
      if (!has(parsed, 'c', 'count', 'l', 'L')) {
        const prefix = `${showNames ? `${label}:` : ''}${has(parsed, 'n', 'line-number') ? `${n + 1}:` : ''}`;
        if (has(parsed, 'o', 'only-matching') && !invert) {
          for (const m of line.matchAll(new RegExp(regex.source, `${regex.flags}g`))) if (m[0] !== '') ctx.stdout.write(`${prefix}${m[0]}\n`);
        } else ctx.stdout.write(`${prefix}${line}\n`);
      }
      if (maxCount !== undefined && count >= Number(maxCount)) break;
    }
    if (has(parsed, 'c', 'count')) ctx.stdout.write(`${showNames ? `${label}:` : ''}${count}\n`);
    if (has(parsed, 'l') && count > 0) ctx.stdout.write(`${label}\n`);
    if (has(parsed, 'L') && count === 0) ctx.stdout.write(`${label}\n`);
  }
  if (hadError && !(quiet && matchedAny)) return 2;
  return matchedAny ? 0 : 1;
}

async function wc(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'lwcm', longFlags: ['lines', 'words', 'bytes', 'chars'] });
  if (parsed.error) return usageError(ctx, 'wc', parsed.error);
  let which = ['l', 'w', 'c'].filter((letter) => has(parsed, letter, { l: 'lines', w: 'words', c: 'bytes' }[letter]!));
  if (has(parsed, 'm', 'chars')) which.push('c');
  if (which.length === 0) which = ['l', 'w', 'c'];
  const files = await inputs(ctx, 'wc', parsed.operands);
  const rows: Array<{ counts: number[]; name: string }> = [];
  let status = 0;
  const totals = which.map(() => 0);
  for (const file of files) {
    if (!file.data) {
      status = 1;
      continue;
    }
    const text = file.data.toString('utf8');
    const counts = which.map((letter) =>
      letter === 'l' ? (text.match(/\n/g) ?? []).length : letter === 'w' ? text.split(/\s+/).filter(Boolean).length : file.data!.length,
    );
    counts.forEach((c, i) => (totals[i]! += c));
    rows.push({ counts, name: file.name === '-' ? '' : file.name });
  }
  if (rows.length > 1) rows.push({ counts: totals, name: 'total' });
  const single = which.length === 1 && rows.length === 1;
  const width = single ? 0 : Math.max(rows.some((r) => r.name === '') ? 7 : 1, ...rows.flatMap((r) => r.counts.map((c) => String(c).length)));
  for (const row of rows) {
    const numbers = row.counts.map((c) => String(c).padStart(width)).join(' ');
    ctx.stdout.write(`${numbers}${row.name ? ` ${row.name}` : ''}\n`);
  }
  return status;
}

// ---- time and system ------------------------------------------------------------------

function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  if (!match) return undefined;
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2]!]!;
  return Number(match[1]) * factor * 1000;
}

async function sleep(ctx: CommandContext): Promise<number> {
  const args = ctx.argv.slice(1);
  if (args.length === 0) return usageError(ctx, 'sleep', 'missing operand');
  let total = 0;
  for (const arg of args) {
    const ms = parseDuration(arg);
    if (ms === undefined) return usageError(ctx, 'sleep', `invalid time interval '${arg}'`);
    total += ms;
  }
  try {
    await ctx.host.clock.sleep(total, ctx.signal);
  } catch {
    return 130;
  }
  return 0;
}

function date(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'uRI', values: 'd', longFlags: ['utc', 'rfc-email'], longValues: ['date', 'iso-8601'] });
  if (parsed.error) return usageError(ctx, 'date', parsed.error);
  const clock = ctx.host.clock;
  const timezone = has(parsed, 'u', 'utc') || ctx.env.TZ === 'UTC' ? { name: 'UTC', offsetMinutes: 0 } : clock.timezone;
  const dateText = value(parsed, 'd', 'date');
  let when = clock.now();
  if (dateText !== undefined) {
    const parsedDate = dateText.startsWith('@') ? Number(dateText.slice(1)) * 1000 : Date.parse(dateText);
    if (Number.isNaN(parsedDate)) return fail(ctx, `date: invalid date '${dateText}'`);
    when = parsedDate;
  }
  const plus = parsed.operands.find((operand) => operand.startsWith('+'));
  let format = '%a %b %e %H:%M:%S %Z %Y';
  if (has(parsed, 'R', 'rfc-email')) format = '%a, %d %b %Y %H:%M:%S %z';
  if (has(parsed, 'I') || value(parsed, 'iso-8601') !== undefined) {
    const precision = value(parsed, 'iso-8601') ?? 'date';
    format = precision === 'seconds' ? '%Y-%m-%dT%H:%M:%S%:z' : precision === 'minutes' ? '%Y-%m-%dT%H:%M%:z' : '%Y-%m-%d';
  }
  if (plus) format = plus.slice(1);
  // %:z (GNU): +00:00.
  const offset = timezone.offsetMinutes;
  const colonZone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  ctx.stdout.write(`${strftime(format.replace(/%:z/g, colonZone), when, timezone)}\n`);
  return 0;
}

function hostname(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'fsIid', longFlags: ['fqdn', 'short', 'all-ip-addresses'] });
  if (parsed.error) return usageError(ctx, 'hostname', parsed.error);
  if (has(parsed, 'I', 'i', 'all-ip-addresses')) ctx.stdout.write('127.0.0.1 \n');
  else if (has(parsed, 's', 'short')) ctx.stdout.write(`${ctx.host.hostname.split('.')[0]}\n`);
  else ctx.stdout.write(`${ctx.host.hostname}\n`);
  return 0;
}

function uptime(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'ps', longFlags: ['pretty', 'since'] });
  if (parsed.error) return usageError(ctx, 'uptime', parsed.error);
  const { clock, metrics } = ctx.host;
  const now = clock.now();
  const upMinutes = Math.floor((now - metrics.bootedAtMs) / 60_000);
  const days = Math.floor(upMinutes / 1440);
  const hours = Math.floor((upMinutes % 1440) / 60);
  const minutes = upMinutes % 60;
  if (has(parsed, 's', 'since')) {
    ctx.stdout.write(`${clock.format('%Y-%m-%d %H:%M:%S', metrics.bootedAtMs)}\n`);
    return 0;
  }
  if (has(parsed, 'p', 'pretty')) {
    const parts: string[] = [];
    const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
    if (days >= 7) parts.push(unit(Math.floor(days / 7), 'week'));
    if (days % 7 > 0) parts.push(unit(days % 7, 'day'));
    if (hours > 0) parts.push(unit(hours, 'hour'));
    if (minutes > 0 || parts.length === 0) parts.push(unit(minutes, 'minute'));
    ctx.stdout.write(`up ${parts.join(', ')}\n`);
    return 0;
  }
  // procps-ng's sprint_uptime().
  let line = ` ${clock.format('%H:%M:%S', now)} up `;
  if (days > 0) line += `${days} ${days > 1 ? 'days' : 'day'}, `;
  line += hours > 0 ? `${String(hours).padStart(2)}:${String(minutes).padStart(2, '0')}, ` : `${minutes} min, `;
  line += `${String(metrics.users).padStart(2)} ${metrics.users > 1 ? 'users' : 'user'}, `;
  line += ` load average: ${metrics.loadavg.map((n) => n.toFixed(2)).join(', ')}`;
  ctx.stdout.write(`${line}\n`);
  return 0;
}

function id(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'ugGnr', longFlags: ['user', 'group', 'groups', 'name'] });
  if (parsed.error) return usageError(ctx, 'id', parsed.error);
  const accounts = ctx.host.accounts;
  let user = ctx.user;
  if (parsed.operands[0]) {
    const other = accounts.user(parsed.operands[0]);
    if (!other) return fail(ctx, `id: \u2018${parsed.operands[0]}\u2019: no such user`);
    user = other;
  }
  const names = has(parsed, 'n', 'name');
  if (has(parsed, 'u', 'user')) ctx.stdout.write(`${names ? user.name : user.uid}\n`);
  else if (has(parsed, 'g', 'group')) ctx.stdout.write(`${names ? accounts.groupName(user.gid) : user.gid}\n`);
  else if (has(parsed, 'G', 'groups')) ctx.stdout.write(`${user.gids.map((g) => (names ? accounts.groupName(g) : String(g))).join(' ')}\n`);
  else {
    const groups = user.gids.map((g) => `${g}(${accounts.groupName(g)})`).join(',');
    ctx.stdout.write(`uid=${user.uid}(${user.name}) gid=${user.gid}(${accounts.groupName(user.gid)}) groups=${groups}\n`);
  }
  return 0;
}

async function env(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'i', values: 'u', longFlags: ['ignore-environment'], longValues: ['unset'], stopAtOperand: true });
  if (parsed.error) return usageError(ctx, 'env', parsed.error, 125);
  const environment = has(parsed, 'i', 'ignore-environment') ? {} : { ...ctx.env };
  for (const name of values(parsed, 'u', 'unset')) delete environment[name];
  const rest = [...parsed.operands];
  while (rest.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!)) {
    const assignment = rest.shift()!;
    const eq = assignment.indexOf('=');
    environment[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  if (rest.length === 0) {
    ctx.stdout.write(Object.entries(environment).map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  return ctx.exec(rest, { env: environment });
}

async function timeout(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'v', values: 'sk', longFlags: ['preserve-status', 'foreground', 'verbose'], longValues: ['signal', 'kill-after'], stopAtOperand: true });
  if (parsed.error) return usageError(ctx, 'timeout', parsed.error, 125);
  const [durationText, ...command] = parsed.operands;
  if (durationText === undefined || command.length === 0) return usageError(ctx, 'timeout', 'missing operand', 125);
  const duration = parseDuration(durationText);
  if (duration === undefined) return usageError(ctx, 'timeout', `invalid time interval '${durationText}'`, 125);
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  const cancelTimer = duration === 0 ? () => undefined : ctx.host.clock.timer(duration, () => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  });
  const expired = new Promise<number>((resolve) => controller.signal.addEventListener('abort', () => resolve(124), { once: true }));
  try {
    const status = await Promise.race([ctx.exec(command, { signal: controller.signal }), expired]);
    return timedOut ? 124 : status;
  } finally {
    cancelTimer();
    ctx.signal.removeEventListener('abort', onOuterAbort);
  }
}

function uname(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'asnrvmpio', longFlags: ['all'] });
  if (parsed.error) return usageError(ctx, 'uname', parsed.error);
  const fields: Record<string, string> = {
    s: 'Linux', n: ctx.host.hostname, r: '6.1.0-28-amd64', v: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)',
    m: 'x86_64', o: 'GNU/Linux',
  };
  const order = has(parsed, 'a', 'all') ? ['s', 'n', 'r', 'v', 'm', 'o'] : ['s', 'n', 'r', 'v', 'm', 'o'].filter((f) => has(parsed, f));
  ctx.stdout.write(`${(order.length > 0 ? order : ['s']).map((f) => fields[f]).join(' ')}\n`);
  return 0;
}

/** `sh -c 'script' [name [args]]`, `sh FILE [args]`, `sh` (script on stdin). */
async function shell(ctx: CommandContext): Promise<number> {
  const program = posix.basename(ctx.argv[0]!);
  const kind = program === 'bash' ? 'bash' : 'dash';
  const args = ctx.argv.slice(1);
  let script: string | undefined;
  let positional: string[] = [];
  let name = program;
  let errexit = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) {
      if (arg.includes('e')) errexit = true;
      script = args[i + 1];
      if (script === undefined) return fail(ctx, `${program}: -c: option requires an argument`, 2);
      name = args[i + 2] ?? program;
      positional = args.slice(i + 3);
      break;
    }
    if (/^[-+][a-zA-Z]+$/.test(arg) || arg === '-s') {
      if (/^-[a-zA-Z]*e/.test(arg)) errexit = true;
      continue;
    }
    if (arg === '--') continue;
    // A script file.
    try {
      script = ctx.host.vfs.readFile(ctx.resolve(arg), ctx.cred).toString('utf8');
    } catch (error) {
      return fail(ctx, kind === 'bash' ? `${program}: ${arg}: ${reason(error)}` : `${program}: 0: cannot open ${arg}: ${reason(error)}`, 127);
    }
    name = arg;
    positional = args.slice(i + 1);
    break;
  }
  if (script === undefined) script = (await ctx.stdin.readAll(ctx.signal)).toString('utf8');
  return ctx.runScript(script, { kind, name, positional, errexit });
}
