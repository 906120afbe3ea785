import { posix } from 'node:path';
import type { CommandContext, CommandRegistry } from '../shell';
import { isVfsError, modeString, VfsError, type Vfs, type VfsStat } from '../vfs';
import { fail, getopt, has, quote, reason, usageError, value } from './util';

/** coreutils file commands on the host's VFS, with coreutils 9.1's messages. */
export function registerFileCommands(registry: CommandRegistry): void {
  registry.register('cat', cat);
  registry.register('cp', cp);
  registry.register('mv', mv);
  registry.register('ln', ln);
  registry.register('rm', rm);
  registry.register('rmdir', rmdir);
  registry.register('mkdir', mkdir);
  registry.register('ls', ls);
  registry.register('test', (ctx) => test(ctx, ctx.argv.slice(1)));
  registry.register('[', (ctx) => {
    const args = ctx.argv.slice(1);
    if (args[args.length - 1] !== ']') {
      return fail(ctx, `${ctx.shellPrefix}[: missing ${ctx.shellKind === 'bash' ? "`]'" : ']'}`, 2);
    }
    return test(ctx, args.slice(0, -1));
  });
  registry.register('sha256sum', sha256sum);
  registry.register('base64', base64);
  registry.register('stat', stat);
  registry.register('chmod', chmod);
  registry.register('chown', chown);
  registry.register('df', df);
  registry.register('touch', touch);
  registry.register('readlink', readlink);
  registry.register('realpath', realpath);
  registry.register('tee', tee);
  registry.register('basename', (ctx) => {
    const [name = '', suffix] = ctx.argv.slice(1);
    let base = posix.basename(name);
    if (suffix && base.endsWith(suffix) && base !== suffix) base = base.slice(0, -suffix.length);
    ctx.stdout.write(`${base}\n`);
    return 0;
  });
  registry.register('dirname', (ctx) => {
    ctx.stdout.write(`${posix.dirname(ctx.argv[1] ?? '.')}\n`);
    return 0;
  });
}

async function readInput(ctx: CommandContext, operand: string): Promise<Buffer> {
  if (operand === '-') return ctx.stdin.readAll(ctx.signal);
  return ctx.host.vfs.readFile(ctx.resolve(operand), ctx.cred);
}

/** coreutils base64: encode with lines of 76 characters, or `-d` to decode. */
async function base64(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'd', longFlags: ['decode'] });
  if (parsed.error) return usageError(ctx, 'base64', parsed.error);
  const operand = parsed.operands[0] ?? '-';
  let data: Buffer;
  try {
    data = await readInput(ctx, operand);
  } catch (error) {
    ctx.stderr.write(`base64: ${operand}: ${reason(error)}\n`);
    return 1;
  }
  if (has(parsed, 'd', 'decode')) {
    ctx.stdout.write(Buffer.from(data.toString('ascii').replace(/\s+/g, ''), 'base64'));
    return 0;
  }
  const encoded = data.toString('base64');
  ctx.stdout.write(encoded === '' ? '' : `${encoded.match(/.{1,76}/g)!.join('\n')}\n`);
  return 0;
}

async function cat(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'nAuv' });
  if (parsed.error) return usageError(ctx, 'cat', parsed.error);
  const operands = parsed.operands.length > 0 ? parsed.operands : ['-'];
  let status = 0;
  let lineNumber = 0;
  for (const operand of operands) {
    try {
      const data = await readInput(ctx, operand);
      if (has(parsed, 'n')) {
        const text = data.toString('utf8');
        const lines = text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        ctx.stdout.write(lines.map((line) => `${String(++lineNumber).padStart(6)}\t${line}\n`).join(''));
      } else ctx.stdout.write(data);
    } catch (error) {
      ctx.stderr.write(`cat: ${operand}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

// ---- cp / mv -------------------------------------------------------------------

interface CopyOptions {
  recursive: boolean;
  preserve: boolean;
  force: boolean;
  noClobber: boolean;
  verbose: boolean;
  /** -P/-d/-a: copy symlinks as symlinks. */
  noDereference: boolean;
}

function cp(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'aprRfnvdPLT',
    longFlags: ['archive', 'recursive', 'force', 'no-clobber', 'verbose', 'no-dereference', 'preserve'],
    longValues: ['preserve'],
  });
  if (parsed.error) return usageError(ctx, 'cp', parsed.error);
  const archive = has(parsed, 'a', 'archive');
  const options: CopyOptions = {
    recursive: archive || has(parsed, 'r', 'R', 'recursive'),
    preserve: archive || has(parsed, 'p', 'preserve'),
    force: has(parsed, 'f', 'force'),
    noClobber: has(parsed, 'n', 'no-clobber'),
    verbose: has(parsed, 'v', 'verbose'),
    noDereference: archive || has(parsed, 'd', 'P', 'no-dereference'),
  };
  return transfer(ctx, 'cp', parsed.operands, has(parsed, 'T'), (source, target) => copyEntry(ctx, source, target, options));
}

function mv(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'fnvTi', longFlags: ['force', 'no-clobber', 'verbose'] });
  if (parsed.error) return usageError(ctx, 'mv', parsed.error);
  const verbose = has(parsed, 'v', 'verbose');
  const noClobber = has(parsed, 'n', 'no-clobber');
  const vfs = ctx.host.vfs;
  return transfer(ctx, 'mv', parsed.operands, has(parsed, 'T'), (source, target) => {
    const from = ctx.resolve(source);
    const to = ctx.resolve(target);
    try {
      vfs.lstat(from, ctx.cred);
    } catch (error) {
      return fail(ctx, `mv: cannot stat ${quote(source)}: ${reason(error)}`);
    }
    if (noClobber && existsNoFollow(vfs, to)) return 0;
    try {
      vfs.rename(from, to, ctx.cred);
    } catch (error) {
      if (!isVfsError(error, 'EXDEV')) return fail(ctx, `mv: cannot move ${quote(source)} to ${quote(target)}: ${reason(error)}`);
      // Across file systems mv copies, then removes the source.
      const status = copyEntry(ctx, source, target, {
        recursive: true, preserve: true, force: true, noClobber: false, verbose: false, noDereference: true,
      });
      if (status !== 0) return status;
      removeTree(vfs, from, ctx);
    }
    if (verbose) ctx.stdout.write(`renamed ${quote(source)} -> ${quote(target)}\n`);
    return 0;
  });
}

/** The shared operand handling of cp and mv: `SRC DEST`, or `SRC... DIR`. */
function transfer(
  ctx: CommandContext,
  program: string,
  operands: string[],
  noTargetDirectory: boolean,
  one: (source: string, target: string) => number,
): number {
  if (operands.length === 0) return usageError(ctx, program, 'missing file operand');
  if (operands.length === 1) return usageError(ctx, program, `missing destination file operand after ${quote(operands[0]!)}`);
  const target = operands[operands.length - 1]!;
  const sources = operands.slice(0, -1);
  const vfs = ctx.host.vfs;
  const targetIsDir = !noTargetDirectory && isDirectory(vfs, ctx.resolve(target), ctx);
  if (sources.length > 1 && !targetIsDir) return fail(ctx, `${program}: target ${quote(target)} is not a directory`);
  let status = 0;
  for (const source of sources) {
    const destination = targetIsDir ? posix.join(target, posix.basename(source.replace(/\/+$/, ''))) : target;
    status = Math.max(status, one(source, destination));
  }
  return status;
}

function isDirectory(vfs: Vfs, path: string, ctx: CommandContext): boolean {
  try {
    return vfs.stat(path, ctx.cred).kind === 'dir';
  } catch {
    return false;
  }
}

function existsNoFollow(vfs: Vfs, path: string): boolean {
  try {
    vfs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

function copyEntry(ctx: CommandContext, source: string, target: string, options: CopyOptions): number {
  const vfs = ctx.host.vfs;
  const from = ctx.resolve(source);
  const to = ctx.resolve(target);
  let sourceStat: VfsStat;
  try {
    sourceStat = options.noDereference ? vfs.lstat(from, ctx.cred) : vfs.stat(from, ctx.cred);
  } catch (error) {
    return fail(ctx, `cp: cannot stat ${quote(source)}: ${reason(error)}`);
  }
  let targetStat: VfsStat | undefined;
  try {
    targetStat = vfs.stat(to, ctx.cred);
  } catch {
    targetStat = undefined;
  }
  if (targetStat && targetStat.ino === sourceStat.ino && targetStat.device === sourceStat.device) {
    return fail(ctx, `cp: ${quote(source)} and ${quote(target)} are the same file`);
  }
  if (targetStat && options.noClobber) return 0;

  if (sourceStat.kind === 'symlink') {
    try {
      if (existsNoFollow(vfs, to)) vfs.unlink(to, ctx.cred);
      vfs.symlink(sourceStat.target!, to, ctx.cred);
    } catch (error) {
      return fail(ctx, `cp: cannot create symbolic link ${quote(target)}: ${reason(error)}`);
    }
    return 0;
  }

  if (sourceStat.kind === 'dir') {
    if (!options.recursive) return fail(ctx, `cp: -r not specified; omitting directory ${quote(source)}`);
    try {
      if (!targetStat) vfs.mkdir(to, { cred: ctx.cred, mode: sourceStat.mode });
      else if (targetStat.kind !== 'dir') {
        return fail(ctx, `cp: cannot overwrite non-directory ${quote(target)} with directory ${quote(source)}`);
      }
    } catch (error) {
      return fail(ctx, `cp: cannot create directory ${quote(target)}: ${reason(error)}`);
    }
    let status = 0;
    for (const entry of vfs.readdir(from, ctx.cred)) {
      status = Math.max(status, copyEntry(ctx, posix.join(source, entry.name), posix.join(target, entry.name), options));
    }
    if (options.preserve) preserveAttributes(ctx, to, sourceStat);
    return status;
  }

  let content: Buffer;
  try {
    content = vfs.readFile(from, ctx.cred);
  } catch (error) {
    return fail(ctx, `cp: cannot open ${quote(source)} for reading: ${reason(error)}`);
  }
  // Like cp: open the destination for writing with O_TRUNC (keeps an existing file's
  // inode); with -f, remove a destination that cannot be opened and create it anew.
  const createMode = options.preserve ? sourceStat.mode : sourceStat.mode & ~0o022;
  let node;
  try {
    node = vfs.open(to, { write: true, create: true, truncate: true }, ctx.cred, createMode);
  } catch (error) {
    if (!(options.force && targetStat && targetStat.kind !== 'dir')) {
      return fail(ctx, `cp: cannot create regular file ${quote(target)}: ${reason(error)}`);
    }
    try {
      vfs.unlink(to, ctx.cred);
      node = vfs.open(to, { write: true, create: true, truncate: true }, ctx.cred, createMode);
    } catch (retryError) {
      return fail(ctx, `cp: cannot remove ${quote(target)}: ${reason(retryError)}`);
    }
  }
  try {
    vfs.writeAt(node, 0, content, to);
  } catch (error) {
    return fail(ctx, `cp: error writing ${quote(target)}: ${reason(error)}`);
  }
  if (options.preserve) preserveAttributes(ctx, to, sourceStat);
  if (options.verbose) ctx.stdout.write(`${quote(source)} -> ${quote(target)}\n`);
  return 0;
}

function preserveAttributes(ctx: CommandContext, path: string, from: VfsStat): void {
  const vfs = ctx.host.vfs;
  try {
    vfs.chmod(path, from.mode, ctx.cred);
    if (ctx.cred.uid === 0) vfs.chown(path, { uid: from.uid, gid: from.gid }, ctx.cred);
    vfs.utimes(path, { mtimeMs: from.mtimeMs, atimeMs: from.atimeMs }, ctx.cred);
  } catch {
    // cp -p keeps going when it cannot preserve ownership as a normal user.
  }
}

// ---- ln / rm / rmdir / mkdir ----------------------------------------------------------

function ln(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'sfnvTr',
    longFlags: ['symbolic', 'force', 'no-dereference', 'verbose', 'no-target-directory', 'relative'],
  });
  if (parsed.error) return usageError(ctx, 'ln', parsed.error);
  if (!has(parsed, 's', 'symbolic')) {
    return fail(ctx, 'ln: hard links are not supported by the lab file system (use ln -s)');
  }
  const vfs = ctx.host.vfs;
  const operands = parsed.operands;
  if (operands.length === 0) return usageError(ctx, 'ln', 'missing file operand');
  const target = operands[0]!;
  let link = operands[1] ?? posix.basename(target);
  const noDereference = has(parsed, 'n', 'no-dereference', 'T', 'no-target-directory');
  let linkPath = ctx.resolve(link);
  // Without -n, an existing link (or directory) named as the destination is entered.
  if (operands.length >= 2 && isDirectory(vfs, linkPath, ctx) && !(noDereference && isSymlink(vfs, linkPath))) {
    link = posix.join(link, posix.basename(target));
    linkPath = ctx.resolve(link);
  }
  if (has(parsed, 'f', 'force') && existsNoFollow(vfs, linkPath)) {
    try {
      if (vfs.lstat(linkPath).kind === 'dir') return fail(ctx, `ln: ${quote(link)}: cannot overwrite directory`);
      vfs.unlink(linkPath, ctx.cred);
    } catch (error) {
      return fail(ctx, `ln: cannot remove ${quote(link)}: ${reason(error)}`);
    }
  }
  try {
    vfs.symlink(target, linkPath, ctx.cred);
  } catch (error) {
    return fail(ctx, `ln: failed to create symbolic link ${quote(link)}: ${reason(error)}`);
  }
  if (has(parsed, 'v', 'verbose')) ctx.stdout.write(`${quote(link)} -> ${quote(target)}\n`);
  return 0;
}

function isSymlink(vfs: Vfs, path: string): boolean {
  try {
    return vfs.lstat(path).kind === 'symlink';
  } catch {
    return false;
  }
}

function rm(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'rRfvdi', longFlags: ['recursive', 'force', 'verbose', 'dir'] });
  if (parsed.error) return usageError(ctx, 'rm', parsed.error);
  const force = has(parsed, 'f', 'force');
  const recursive = has(parsed, 'r', 'R', 'recursive');
  if (parsed.operands.length === 0) return force ? 0 : usageError(ctx, 'rm', 'missing operand');
  const vfs = ctx.host.vfs;
  let status = 0;
  for (const operand of parsed.operands) {
    const path = ctx.resolve(operand);
    if (recursive && posix.normalize(path) === '/') {
      ctx.stderr.write("rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n");
      status = 1;
      continue;
    }
    let st: VfsStat;
    try {
      st = vfs.lstat(path, ctx.cred);
    } catch (error) {
      if (!force) {
        ctx.stderr.write(`rm: cannot remove ${quote(operand)}: ${reason(error)}\n`);
        status = 1;
      }
      continue;
    }
    try {
      if (st.kind === 'dir') {
        if (recursive) removeTree(vfs, path, ctx);
        else if (has(parsed, 'd', 'dir')) vfs.rmdir(path, ctx.cred);
        else throw new VfsError('EISDIR', path);
      } else vfs.unlink(path, ctx.cred);
      if (has(parsed, 'v', 'verbose')) ctx.stdout.write(`removed ${quote(operand)}\n`);
    } catch (error) {
      ctx.stderr.write(`rm: cannot remove ${quote(operand)}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

function removeTree(vfs: Vfs, path: string, ctx: CommandContext): void {
  const st = vfs.lstat(path, ctx.cred);
  if (st.kind === 'dir') {
    for (const entry of vfs.readdir(path, ctx.cred)) removeTree(vfs, posix.join(path, entry.name), ctx);
    vfs.rmdir(path, ctx.cred);
  } else vfs.unlink(path, ctx.cred);
}

function rmdir(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'pv' });
  if (parsed.error) return usageError(ctx, 'rmdir', parsed.error);
  let status = 0;
  for (const operand of parsed.operands) {
    try {
      ctx.host.vfs.rmdir(ctx.resolve(operand), ctx.cred);
    } catch (error) {
      ctx.stderr.write(`rmdir: failed to remove ${quote(operand)}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

function mkdir(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'pv', values: 'm', longFlags: ['parents', 'verbose'], longValues: ['mode'] });
  if (parsed.error) return usageError(ctx, 'mkdir', parsed.error);
  if (parsed.operands.length === 0) return usageError(ctx, 'mkdir', 'missing operand');
  const modeText = value(parsed, 'm', 'mode');
  const mode = modeText === undefined ? 0o755 : applyMode(0o777, modeText);
  if (mode === undefined) return fail(ctx, `mkdir: invalid mode ${quote(modeText!)}`);
  let status = 0;
  for (const operand of parsed.operands) {
    try {
      ctx.host.vfs.mkdir(ctx.resolve(operand), { cred: ctx.cred, mode, parents: has(parsed, 'p', 'parents') });
      if (has(parsed, 'v', 'verbose')) ctx.stdout.write(`mkdir: created directory ${curly(operand)}\n`);
    } catch (error) {
      // mkdir quotes with quote() (curly quotes in a UTF-8 locale), unlike cp/mv/rm.
      ctx.stderr.write(`mkdir: cannot create directory ${curly(operand)}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

function curly(name: string): string {
  return `\u2018${name}\u2019`;
}

// ---- ls ------------------------------------------------------------------------------

function ls(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'laAd1htrniF', longFlags: ['all', 'human-readable', 'directory'] });
  if (parsed.error) return usageError(ctx, 'ls', parsed.error, 2);
  const vfs = ctx.host.vfs;
  const long = has(parsed, 'l', 'n');
  const all = has(parsed, 'a', 'all');
  const almostAll = has(parsed, 'A');
  const directoryItself = has(parsed, 'd', 'directory');
  const operands = parsed.operands.length > 0 ? parsed.operands : ['.'];
  let status = 0;

  const files: Array<{ name: string; path: string; stat: VfsStat }> = [];
  const dirs: Array<{ name: string; path: string }> = [];
  for (const operand of operands) {
    const path = ctx.resolve(operand);
    try {
      const lst = vfs.lstat(path, ctx.cred);
      // A symlink named on the command line is followed, except by -l and -d.
      const listed = lst.kind === 'symlink' && !long ? (safeStat(vfs, path, ctx) ?? lst) : lst;
      if (listed.kind === 'dir' && !directoryItself) dirs.push({ name: operand, path });
      else files.push({ name: operand, path, stat: lst });
    } catch (error) {
      ctx.stderr.write(`ls: cannot access ${quote(operand)}: ${reason(error)}\n`);
      status = 2;
    }
  }
  const sortEntries = <T extends { name: string; stat: VfsStat }>(entries: T[]): T[] => {
    const sorted = has(parsed, 't')
      ? [...entries].sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs || (a.name < b.name ? -1 : 1))
      : [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return has(parsed, 'r') ? sorted.reverse() : sorted;
  };
  const print = (entries: Array<{ name: string; path: string; stat: VfsStat }>, withTotal: boolean): void => {
    if (!long) {
      for (const entry of entries) ctx.stdout.write(`${entry.name}\n`);
      return;
    }
    if (withTotal) {
      const blocks = entries.reduce((sum, e) => sum + (e.stat.kind === 'dir' ? 4 : Math.ceil(e.stat.size / 4096) * 4), 0);
      ctx.stdout.write(`total ${blocks}\n`);
    }
    ctx.stdout.write(longListing(ctx, entries, { numeric: has(parsed, 'n'), human: has(parsed, 'h', 'human-readable') }));
  };

  print(sortEntries(files), false);
  dirs.sort((a, b) => (a.name < b.name ? -1 : 1));
  const showHeaders = dirs.length + files.length > 1;
  dirs.forEach((dir, index) => {
    if (showHeaders) ctx.stdout.write(`${files.length > 0 || index > 0 ? '\n' : ''}${dir.name}:\n`);
    try {
      const listed = vfs.readdir(dir.path, ctx.cred)
        .filter((entry) => all || almostAll || !entry.name.startsWith('.'))
        .map((entry) => ({ name: entry.name, path: posix.join(dir.path, entry.name), stat: entry.stat }));
      if (all) {
        listed.push({ name: '.', path: dir.path, stat: vfs.stat(dir.path, ctx.cred) });
        listed.push({ name: '..', path: posix.dirname(dir.path), stat: vfs.stat(posix.dirname(dir.path), ctx.cred) });
      }
      print(sortEntries(listed), true);
    } catch (error) {
      ctx.stderr.write(`ls: cannot open directory ${quote(dir.name)}: ${reason(error)}\n`);
      status = 2;
    }
  });
  return status;
}

function safeStat(vfs: Vfs, path: string, ctx: CommandContext): VfsStat | undefined {
  try {
    return vfs.stat(path, ctx.cred);
  } catch {
    return undefined;
  }
}

function longListing(
  ctx: CommandContext,
  entries: Array<{ name: string; stat: VfsStat }>,
  options: { numeric: boolean; human: boolean },
): string {
  const accounts = ctx.host.accounts;
  const now = ctx.host.clock.now();
  const rows = entries.map(({ name, stat }) => ({
    mode: modeString(stat.kind, stat.mode),
    links: String(stat.nlink),
    owner: options.numeric ? String(stat.uid) : accounts.userName(stat.uid),
    group: options.numeric ? String(stat.gid) : accounts.groupName(stat.gid),
    size: options.human ? humanSize(stat.size, false) : String(stat.size),
    date: lsDate(ctx, stat.mtimeMs, now),
    name: stat.kind === 'symlink' ? `${name} -> ${stat.target}` : name,
  }));
  const width = (key: 'links' | 'owner' | 'group' | 'size'): number => Math.max(...rows.map((row) => row[key].length));
  const w = { links: width('links'), owner: width('owner'), group: width('group'), size: width('size') };
  return rows
    .map((row) =>
      `${row.mode} ${row.links.padStart(w.links)} ${row.owner.padEnd(w.owner)} ${row.group.padEnd(w.group)} ` +
      `${row.size.padStart(w.size)} ${row.date} ${row.name}\n`)
    .join('');
}

/** `Nov 26 10:15` for the last six months, `Nov 26  2025` otherwise. */
function lsDate(ctx: CommandContext, mtimeMs: number, now: number): string {
  const sixMonths = (365.2425 / 2) * 86_400_000;
  const recent = mtimeMs > now - sixMonths && mtimeMs <= now + 60_000;
  return ctx.host.clock.format(recent ? '%b %e %H:%M' : '%b %e  %Y', mtimeMs);
}

/** `ls -h`/`df -h` sizes: powers of 1024, one decimal below 10, rounded up. */
export function humanSize(bytes: number, siSuffixOnly: boolean): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (bytes < 1024) return siSuffixOnly ? `${bytes}B` : String(bytes);
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (value < 10) {
    const tenths = Math.ceil(value * 10 - 1e-9) / 10;
    if (tenths < 10) return `${tenths.toFixed(1)}${units[unit]}`;
  }
  return `${Math.ceil(value - 1e-9)}${units[unit]}`;
}

// ---- test ----------------------------------------------------------------------------

function test(ctx: CommandContext, args: string[]): number {
  try {
    return evaluateTest(ctx, args) ? 0 : 1;
  } catch (error) {
    ctx.stderr.write(`${ctx.shellPrefix}${ctx.argv[0]}: ${(error as Error).message}\n`);
    return 2;
  }
}

function evaluateTest(ctx: CommandContext, args: string[]): boolean {
  const orIndex = args.indexOf('-o');
  if (orIndex > 0) return evaluateTest(ctx, args.slice(0, orIndex)) || evaluateTest(ctx, args.slice(orIndex + 1));
  const andIndex = args.indexOf('-a');
  if (andIndex > 0 && args.length > 3) {
    return evaluateTest(ctx, args.slice(0, andIndex)) && evaluateTest(ctx, args.slice(andIndex + 1));
  }
  if (args[0] === '!') return !evaluateTest(ctx, args.slice(1));
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) return unaryTest(ctx, args[0]!, args[1]!);
  if (args.length === 3) return binaryTest(args[0]!, args[1]!, args[2]!, ctx);
  throw new Error('too many arguments');
}

function unaryTest(ctx: CommandContext, op: string, operand: string): boolean {
  const vfs = ctx.host.vfs;
  const path = ctx.resolve(operand);
  const stat = (): VfsStat | undefined => safeStat(vfs, path, ctx);
  switch (op) {
    case '-n':
      return operand !== '';
    case '-z':
      return operand === '';
    case '-e':
      return stat() !== undefined;
    case '-f':
      return stat()?.kind === 'file';
    case '-d':
      return stat()?.kind === 'dir';
    case '-S':
      return stat()?.kind === 'socket';
    case '-h':
    case '-L':
      return isSymlink(vfs, path);
    case '-s':
      return (stat()?.size ?? 0) > 0;
    case '-r':
      return vfs.access(path, ctx.cred, 'r');
    case '-w':
      return vfs.access(path, ctx.cred, 'w');
    case '-x':
      return vfs.access(path, ctx.cred, 'x');
    default:
      throw new Error(`${op}: unary operator expected`);
  }
}

function binaryTest(left: string, op: string, right: string, ctx: CommandContext): boolean {
  const integer = (text: string): number => {
    if (!/^\s*-?\d+\s*$/.test(text)) throw new Error(`${text}: integer expression expected`);
    return Number(text);
  };
  switch (op) {
    case '=':
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '-eq':
      return integer(left) === integer(right);
    case '-ne':
      return integer(left) !== integer(right);
    case '-lt':
      return integer(left) < integer(right);
    case '-le':
      return integer(left) <= integer(right);
    case '-gt':
      return integer(left) > integer(right);
    case '-ge':
      return integer(left) >= integer(right);
    case '-nt':
    case '-ot': {
      const a = safeStat(ctx.host.vfs, ctx.resolve(left), ctx);
      const b = safeStat(ctx.host.vfs, ctx.resolve(right), ctx);
      if (!a || !b) return op === '-nt' ? !!a && !b : !a && !!b;
      return op === '-nt' ? a.mtimeMs > b.mtimeMs : a.mtimeMs < b.mtimeMs;
    }
    default:
      if (left === '!') return !unaryTest(ctx, op, right);
      throw new Error(`${op}: binary operator expected`);
  }
}

// ---- checksums and stat ----------------------------------------------------------------

async function sha256sum(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'bctw', longFlags: ['check', 'binary', 'text', 'quiet', 'status', 'strict'] });
  if (parsed.error) return usageError(ctx, 'sha256sum', parsed.error);
  const operands = parsed.operands.length > 0 ? parsed.operands : ['-'];
  const { createHash } = await import('node:crypto');
  const digest = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

  if (has(parsed, 'c', 'check')) {
    const quiet = has(parsed, 'quiet');
    const silent = has(parsed, 'status');
    let mismatched = 0;
    let unreadable = 0;
    for (const operand of operands) {
      let listing: string;
      try {
        listing = (await readInput(ctx, operand)).toString('utf8');
      } catch (error) {
        ctx.stderr.write(`sha256sum: ${operand}: ${reason(error)}\n`);
        return 1;
      }
      for (const line of listing.split('\n')) {
        const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
        if (!match) continue;
        const [, expected, file] = match;
        try {
          const ok = digest(await readInput(ctx, file!)) === expected!.toLowerCase();
          if (!ok) mismatched++;
          if (!silent && (!ok || !quiet)) ctx.stdout.write(`${file}: ${ok ? 'OK' : 'FAILED'}\n`);
        } catch (error) {
          unreadable++;
          if (!silent) {
            ctx.stderr.write(`sha256sum: ${file}: ${reason(error)}\n`);
            ctx.stdout.write(`${file}: FAILED open or read\n`);
          }
        }
      }
    }
    if (!silent && unreadable > 0) {
      ctx.stderr.write(`sha256sum: WARNING: ${unreadable} listed file${unreadable === 1 ? '' : 's'} could not be read\n`);
    }
    if (!silent && mismatched > 0) {
      ctx.stderr.write(`sha256sum: WARNING: ${mismatched} computed checksum${mismatched === 1 ? '' : 's'} did NOT match\n`);
    }
    return mismatched + unreadable > 0 ? 1 : 0;
  }

  let status = 0;
  const marker = has(parsed, 'b', 'binary') ? '*' : ' ';
  for (const operand of operands) {
    try {
      ctx.stdout.write(`${digest(await readInput(ctx, operand))} ${marker}${operand}\n`);
    } catch (error) {
      ctx.stderr.write(`sha256sum: ${operand}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

function fileType(stat: VfsStat): string {
  switch (stat.kind) {
    case 'dir':
      return 'directory';
    case 'symlink':
      return 'symbolic link';
    case 'socket':
      return 'socket';
    default:
      return stat.size === 0 ? 'regular empty file' : 'regular file';
  }
}

function statTime(ctx: CommandContext, ms: number): string {
  return ctx.host.clock.format('%Y-%m-%d %H:%M:%S.%N %z', ms);
}

function stat(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'Lt',
    values: 'c',
    longFlags: ['dereference', 'terse'],
    longValues: ['format', 'printf'],
  });
  if (parsed.error) return usageError(ctx, 'stat', parsed.error);
  if (parsed.operands.length === 0) return usageError(ctx, 'stat', 'missing operand');
  const printf = value(parsed, 'printf');
  const format = printf ?? value(parsed, 'c', 'format');
  const vfs = ctx.host.vfs;
  const accounts = ctx.host.accounts;
  let status = 0;
  for (const operand of parsed.operands) {
    const path = ctx.resolve(operand);
    let st: VfsStat;
    try {
      st = has(parsed, 'L', 'dereference') ? vfs.stat(path, ctx.cred) : vfs.lstat(path, ctx.cred);
    } catch (error) {
      ctx.stderr.write(`stat: cannot statx ${quote(operand)}: ${reason(error)}\n`);
      status = 1;
      continue;
    }
    const mountPoint = vfs.mountOf(path).path;
    const conversions: Record<string, () => string> = {
      a: () => (st.mode & 0o7777).toString(8),
      A: () => modeString(st.kind, st.mode),
      b: () => String(Math.ceil(st.size / 4096) * 8),
      B: () => '512',
      d: () => '2049',
      D: () => '801',
      f: () => ((st.kind === 'dir' ? 0o40000 : st.kind === 'symlink' ? 0o120000 : st.kind === 'socket' ? 0o140000 : 0o100000) | st.mode).toString(16),
      F: () => fileType(st),
      g: () => String(st.gid),
      G: () => accounts.groupName(st.gid),
      h: () => String(st.nlink),
      i: () => String(st.ino),
      m: () => mountPoint,
      n: () => operand,
      N: () => (st.kind === 'symlink' ? `${quote(operand)} -> ${quote(st.target!)}` : quote(operand)),
      o: () => '4096',
      s: () => String(st.size),
      u: () => String(st.uid),
      U: () => accounts.userName(st.uid),
      w: () => '-',
      W: () => '0',
      x: () => statTime(ctx, st.atimeMs),
      X: () => String(Math.floor(st.atimeMs / 1000)),
      y: () => statTime(ctx, st.mtimeMs),
      Y: () => String(Math.floor(st.mtimeMs / 1000)),
      z: () => statTime(ctx, st.mtimeMs),
      Z: () => String(Math.floor(st.mtimeMs / 1000)),
      '%': () => '%',
    };
    if (format !== undefined) {
      let text = format.replace(/%([a-zA-Z%])/g, (whole, letter: string) => conversions[letter]?.() ?? whole);
      if (printf !== undefined) text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
      else text += '\n';
      ctx.stdout.write(text);
      continue;
    }
    const name = st.kind === 'symlink' ? `${operand} -> ${st.target}` : operand;
    const owner = `Uid: (${String(st.uid).padStart(5)}/${accounts.userName(st.uid).padStart(8)})`;
    const group = `Gid: (${String(st.gid).padStart(5)}/${accounts.groupName(st.gid).padStart(8)})`;
    ctx.stdout.write(
      `  File: ${name}\n` +
      `  Size: ${String(st.size).padEnd(10)}\tBlocks: ${conversions.b!().padEnd(10)} IO Block: 4096   ${fileType(st)}\n` +
      `Device: 8,1\tInode: ${String(st.ino).padEnd(11)} Links: ${st.nlink}\n` +
      `Access: (${(st.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(st.kind, st.mode)})  ${owner}   ${group}\n` +
      `Access: ${statTime(ctx, st.atimeMs)}\n` +
      `Modify: ${statTime(ctx, st.mtimeMs)}\n` +
      `Change: ${statTime(ctx, st.mtimeMs)}\n` +
      ' Birth: -\n',
    );
  }
  return status;
}

// ---- chmod / chown ------------------------------------------------------------------------

/** Applies an octal (`755`) or symbolic (`u+x,go-w`) mode to `current`; undefined if invalid. */
export function applyMode(current: number, text: string): number | undefined {
  if (/^[0-7]{1,4}$/.test(text)) return parseInt(text, 8);
  let mode = current;
  for (const clause of text.split(',')) {
    const match = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!match) return undefined;
    const [, who = '', op, perms = ''] = match;
    const targets = who === '' || who.includes('a') ? 'ugo' : who;
    let bits = 0;
    for (const target of targets) {
      const shift = target === 'u' ? 6 : target === 'g' ? 3 : 0;
      if (perms.includes('r')) bits |= 4 << shift;
      if (perms.includes('w')) bits |= 2 << shift;
      if (perms.includes('x') || (perms.includes('X') && (current & 0o111) !== 0)) bits |= 1 << shift;
      if (perms.includes('s') && target === 'u') bits |= 0o4000;
      if (perms.includes('s') && target === 'g') bits |= 0o2000;
    }
    if (perms.includes('t')) bits |= 0o1000;
    if (op === '+') mode |= bits;
    else if (op === '-') mode &= ~bits;
    else {
      let clear = 0;
      for (const target of targets) clear |= 7 << (target === 'u' ? 6 : target === 'g' ? 3 : 0);
      mode = (mode & ~clear) | bits;
    }
  }
  return mode;
}

function chmod(ctx: CommandContext): number {
  const args = ctx.argv.slice(1);
  // A mode like `-x` looks like an option: take it as the mode when it parses as one.
  const modeIndex = args.findIndex((arg) => !/^-[Rvfc]+$/.test(arg) && arg !== '--');
  const recursive = args.slice(0, Math.max(0, modeIndex)).some((arg) => /^-[a-zA-Z]*R/.test(arg));
  const modeText = args[modeIndex];
  // `--` ends the options before or after the mode (`chmod 640 -- file`, as GNU getopt permutes).
  const operands = args.slice(modeIndex + 1).filter((arg, index, rest) => arg !== '--' || rest.indexOf('--') !== index);
  if (modeText === undefined) return usageError(ctx, 'chmod', 'missing operand');
  if (operands.length === 0) return usageError(ctx, 'chmod', `missing operand after ${quote(modeText)}`);
  const vfs = ctx.host.vfs;
  let status = 0;
  const apply = (path: string, shown: string): void => {
    try {
      const current = vfs.stat(path, ctx.cred);
      const mode = applyMode(current.mode, modeText);
      if (mode === undefined) throw new Error(`invalid mode: ${quote(modeText)}`);
      vfs.chmod(path, mode, ctx.cred);
      if (recursive && current.kind === 'dir') {
        for (const entry of vfs.readdir(path, ctx.cred)) apply(posix.join(path, entry.name), posix.join(shown, entry.name));
      }
    } catch (error) {
      status = 1;
      if (isVfsError(error, 'ENOENT')) ctx.stderr.write(`chmod: cannot access ${quote(shown)}: ${reason(error)}\n`);
      else if (isVfsError(error)) ctx.stderr.write(`chmod: changing permissions of ${quote(shown)}: ${reason(error)}\n`);
      else ctx.stderr.write(`chmod: ${reason(error)}\n`);
    }
  };
  for (const operand of operands) apply(ctx.resolve(operand), operand);
  return status;
}

function chown(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'Rhvcf', longFlags: ['recursive', 'no-dereference'] });
  if (parsed.error) return usageError(ctx, 'chown', parsed.error);
  const [spec, ...operands] = parsed.operands;
  if (spec === undefined) return usageError(ctx, 'chown', 'missing operand');
  if (operands.length === 0) return usageError(ctx, 'chown', `missing operand after ${quote(spec)}`);
  const accounts = ctx.host.accounts;
  const [userPart = '', groupPart] = spec.split(/[:.]/);
  const uid = userPart === '' ? undefined : accounts.userId(userPart);
  if (userPart !== '' && uid === undefined) return fail(ctx, `chown: invalid user: ${quote(spec)}`);
  let gid = groupPart === undefined || groupPart === '' ? undefined : accounts.groupId(groupPart);
  if (groupPart !== undefined && groupPart !== '' && gid === undefined) return fail(ctx, `chown: invalid group: ${quote(spec)}`);
  // `chown user:` means the user's login group.
  if (groupPart === '' && uid !== undefined) gid = accounts.userById(uid)?.gid;
  const vfs = ctx.host.vfs;
  let status = 0;
  const apply = (path: string, shown: string): void => {
    try {
      vfs.chown(path, { uid, gid }, ctx.cred, !has(parsed, 'h', 'no-dereference'));
      if (has(parsed, 'R', 'recursive') && vfs.lstat(path, ctx.cred).kind === 'dir') {
        for (const entry of vfs.readdir(path, ctx.cred)) apply(posix.join(path, entry.name), posix.join(shown, entry.name));
      }
    } catch (error) {
      status = 1;
      if (isVfsError(error, 'ENOENT')) ctx.stderr.write(`chown: cannot access ${quote(shown)}: ${reason(error)}\n`);
      else ctx.stderr.write(`chown: changing ownership of ${quote(shown)}: ${reason(error)}\n`);
    }
  };
  for (const operand of operands) apply(ctx.resolve(operand), operand);
  return status;
}

// ---- df ------------------------------------------------------------------------------------

function df(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'PhkTa', longFlags: ['portability', 'human-readable', 'print-type'], values: 'B' });
  if (parsed.error) return usageError(ctx, 'df', parsed.error);
  const vfs = ctx.host.vfs;
  const posixFormat = has(parsed, 'P', 'portability');
  const human = has(parsed, 'h', 'human-readable');
  const withType = has(parsed, 'T', 'print-type');
  let status = 0;
  const mounts = [];
  if (parsed.operands.length === 0) mounts.push(...vfs.mounts());
  for (const operand of parsed.operands) {
    try {
      vfs.stat(ctx.resolve(operand), ctx.cred);
      mounts.push(vfs.mountOf(ctx.resolve(operand)));
    } catch (error) {
      ctx.stderr.write(`df: ${operand}: ${reason(error)}\n`);
      status = 1;
    }
  }
  if (mounts.length === 0) return status;

  const header = [
    'Filesystem',
    ...(withType ? ['Type'] : []),
    human ? 'Size' : posixFormat ? '1024-blocks' : '1K-blocks',
    'Used',
    human ? 'Avail' : 'Available',
    posixFormat ? 'Capacity' : 'Use%',
    'Mounted on',
  ];
  const rows = mounts.map((mount) => {
    const usage = vfs.usage(mount.path);
    const sizeK = Math.floor(mount.sizeBytes / 1024);
    const usedK = Math.ceil(usage.usedBytes / 1024);
    const availK = Math.max(0, sizeK - usedK);
    const percent = usedK + availK === 0 ? '-' : `${Math.ceil((usedK * 100) / (usedK + availK))}%`;
    const show = (k: number): string => (human ? humanSize(k * 1024, true).replace(/B$/, '') : String(k));
    return [mount.device, ...(withType ? ['ext4'] : []), show(sizeK), show(usedK), show(availK), percent, mount.path];
  });
  // coreutils aligns columns (minimum widths from df.c's field table): Filesystem and
  // Mounted on to the left, numbers to the right.
  const table = [header, ...rows];
  const last = header.length - 1;
  const minimum: number[] = [14, ...(withType ? [4] : []), 5, 5, 5, 4, 0];
  const widths = header.map((_, column) => Math.max(minimum[column] ?? 0, ...table.map((row) => row[column]!.length)));
  for (const row of table) {
    const cells = row.map((cell, column) => {
      if (column === last) return cell;
      const leftAligned = column === 0 || (withType && column === 1);
      return leftAligned ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!);
    });
    ctx.stdout.write(`${cells.join(' ')}\n`);
  }
  return status;
}

// ---- touch / readlink / realpath / tee -------------------------------------------------------

function touch(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'cam', values: 'd', longFlags: ['no-create'], longValues: ['date'] });
  if (parsed.error) return usageError(ctx, 'touch', parsed.error);
  const vfs = ctx.host.vfs;
  const dateText = value(parsed, 'd', 'date');
  const when = dateText?.startsWith('@') ? Number(dateText.slice(1)) * 1000 : dateText ? Date.parse(dateText) : ctx.host.clock.now();
  let status = 0;
  for (const operand of parsed.operands) {
    const path = ctx.resolve(operand);
    try {
      if (!vfs.exists(path, ctx.cred)) {
        if (has(parsed, 'c', 'no-create')) continue;
        vfs.writeFile(path, '', { cred: ctx.cred, mode: 0o644 });
      }
      vfs.utimes(path, { mtimeMs: when, atimeMs: when }, ctx.cred);
    } catch (error) {
      ctx.stderr.write(`touch: cannot touch ${quote(operand)}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

function readlink(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'femnqsv', longFlags: ['canonicalize'] });
  if (parsed.error) return usageError(ctx, 'readlink', parsed.error);
  const vfs = ctx.host.vfs;
  let status = 0;
  for (const operand of parsed.operands) {
    const path = ctx.resolve(operand);
    try {
      if (has(parsed, 'f', 'e', 'm', 'canonicalize')) ctx.stdout.write(`${canonical(vfs, path, ctx, !has(parsed, 'e'))}\n`);
      else ctx.stdout.write(`${vfs.readlink(path, ctx.cred)}\n`);
    } catch {
      status = 1;
    }
  }
  return status;
}

/** realpath; with `missingLastOk`, the last component may be missing (readlink -f). */
function canonical(vfs: Vfs, path: string, ctx: CommandContext, missingLastOk: boolean): string {
  try {
    return vfs.realpath(path, ctx.cred);
  } catch (error) {
    if (!missingLastOk || !isVfsError(error, 'ENOENT')) throw error;
    return posix.join(vfs.realpath(posix.dirname(path), ctx.cred), posix.basename(path));
  }
}

function realpath(ctx: CommandContext): number {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'emsq' });
  if (parsed.error) return usageError(ctx, 'realpath', parsed.error);
  let status = 0;
  for (const operand of parsed.operands) {
    try {
      ctx.stdout.write(`${canonical(ctx.host.vfs, ctx.resolve(operand), ctx, !has(parsed, 'e'))}\n`);
    } catch (error) {
      ctx.stderr.write(`realpath: ${operand}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}

async function tee(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), { flags: 'ai', longFlags: ['append'] });
  if (parsed.error) return usageError(ctx, 'tee', parsed.error);
  const data = await ctx.stdin.readAll(ctx.signal);
  ctx.stdout.write(data);
  let status = 0;
  for (const operand of parsed.operands) {
    try {
      ctx.host.vfs.writeFile(ctx.resolve(operand), data, { cred: ctx.cred, append: has(parsed, 'a', 'append') });
    } catch (error) {
      ctx.stderr.write(`tee: ${operand}: ${reason(error)}\n`);
      status = 1;
    }
  }
  return status;
}
