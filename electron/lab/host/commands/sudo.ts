import { timingSafeEqual, createHash } from 'node:crypto';
import { loginEnvironment, type CommandContext, type CommandRegistry } from '../shell';
import { getopt, has, value } from './util';

/**
 * sudo 1.9 as configured on Debian: per user NOPASSWD, password, or not in sudoers.
 * `-n` never prompts; `-S` reads the password from stdin (the prompt goes to stderr,
 * `-p ''` silences it); without either there is no terminal to ask on.
 */
export function registerSudo(registry: CommandRegistry): void {
  registry.register('sudo', sudo);
}

const usage =
  'usage: sudo -h | -K | -k | -V\n' +
  'usage: sudo -v [-ABknS] [-g group] [-h host] [-p prompt] [-u user]\n' +
  'usage: sudo -l [-ABknS] [-g group] [-h host] [-p prompt] [-U user] [-u user] [command [arg ...]]\n' +
  'usage: sudo [-ABbEHknPS] [-C num] [-D directory] [-g group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] [VAR=value] [-i | -s] [<command>]\n' +
  'usage: sudo -e [-ABknS] [-C num] [-D directory] [-g group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] file ...\n';

function samePassword(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

async function sudo(ctx: CommandContext): Promise<number> {
  const parsed = getopt(ctx.argv.slice(1), {
    flags: 'nSEHiskvlbAK',
    values: 'pugCDRT',
    longFlags: ['non-interactive', 'stdin', 'preserve-env', 'set-home', 'login', 'shell', 'reset-timestamp', 'validate', 'list'],
    longValues: ['prompt', 'user', 'group'],
    stopAtOperand: true,
  });
  if (parsed.error) {
    ctx.stderr.write(`sudo: ${parsed.error}\n${usage}`);
    return 1;
  }
  const accounts = ctx.host.accounts;
  const targetName = value(parsed, 'u', 'user') ?? 'root';
  const target = accounts.user(targetName.replace(/^#/, '')) ?? (targetName.startsWith('#') ? accounts.userById(Number(targetName.slice(1))) : undefined);
  if (!target) {
    ctx.stderr.write(`sudo: unknown user ${targetName}\n`);
    return 1;
  }
  const validateOnly = has(parsed, 'v', 'validate');
  const list = has(parsed, 'l', 'list');
  if (has(parsed, 'k', 'K', 'reset-timestamp') && parsed.operands.length === 0 && !validateOnly) return 0;

  // Environment assignments before the command: sudo VAR=value cmd.
  const command = [...parsed.operands];
  const assignments: Record<string, string> = {};
  while (command.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(command[0]!)) {
    const word = command.shift()!;
    assignments[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  const login = has(parsed, 'i', 'login');
  const asShell = has(parsed, 's', 'shell');
  if (command.length === 0 && !validateOnly && !list && !login && !asShell) {
    ctx.stderr.write(usage);
    return 1;
  }

  const rule = ctx.user.uid === 0 ? 'nopasswd' : ctx.user.sudo;
  if (rule !== 'nopasswd') {
    const authenticated = await authenticate(ctx, parsed.options.some(([n]) => n === 'n' || n === 'non-interactive'), has(parsed, 'S', 'stdin'), value(parsed, 'p', 'prompt'));
    if (authenticated !== 0) return authenticated;
    if (rule === 'none') {
      ctx.stderr.write(`${ctx.user.name} is not in the sudoers file.\n`);
      return 1;
    }
  }
  if (validateOnly) return 0;
  if (list) {
    ctx.stdout.write(
      `Matching Defaults entries for ${ctx.user.name} on ${ctx.host.hostname}:\n` +
      '    env_reset, mail_badpass, secure_path=/usr/local/sbin\\:/usr/local/bin\\:/usr/sbin\\:/usr/bin\\:/sbin\\:/bin, use_pty\n\n' +
      `User ${ctx.user.name} may run the following commands on ${ctx.host.hostname}:\n` +
      `    (ALL : ALL) ${rule === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`,
    );
    return 0;
  }

  const base = loginEnvironment(target);
  const env: Record<string, string> = {
    ...(has(parsed, 'E', 'preserve-env') ? ctx.env : {}),
    ...base,
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    SUDO_USER: ctx.user.name,
    SUDO_UID: String(ctx.user.uid),
    SUDO_GID: String(ctx.user.gid),
    SUDO_COMMAND: command.join(' '),
    ...assignments,
  };
  if (login || asShell) {
    const script = command.join(' ');
    return ctx.runScript(script, {
      kind: target.shell.endsWith('bash') ? 'bash' : 'dash',
      name: target.shell.split('/').pop()!,
      user: target,
      env,
      cwd: login ? target.home : ctx.cwd,
    });
  }
  if (!ctx.commandExists(command[0]!, target)) {
    ctx.stderr.write(`sudo: ${command[0]}: command not found\n`);
    return 1;
  }
  return ctx.exec(command, { user: target, env });
}

/** 0 when the user typed the right password; otherwise sudo's exit status (1). */
async function authenticate(ctx: CommandContext, nonInteractive: boolean, fromStdin: boolean, prompt: string | undefined): Promise<number> {
  if (nonInteractive) {
    ctx.stderr.write('sudo: a password is required\n');
    return 1;
  }
  if (!fromStdin) {
    ctx.stderr.write(
      'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n' +
      'sudo: a password is required\n',
    );
    return 1;
  }
  const expected = ctx.user.password;
  const promptText = prompt ?? `[sudo] password for ${ctx.user.name}: `;
  let failures = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (promptText !== '') ctx.stderr.write(promptText);
    let line: string | null;
    try {
      line = await ctx.stdin.readLine(ctx.signal);
    } catch {
      return 1;
    }
    if (line === null) {
      ctx.stderr.write('sudo: no password was provided\n');
      if (failures > 0) ctx.stderr.write(`sudo: ${failures} incorrect password attempt${failures === 1 ? '' : 's'}\n`);
      return 1;
    }
    if (expected !== undefined && samePassword(line, expected)) return 0;
    failures++;
    if (attempt < 2) ctx.stderr.write('Sorry, try again.\n');
  }
  ctx.stderr.write('sudo: 3 incorrect password attempts\n');
  return 1;
}
