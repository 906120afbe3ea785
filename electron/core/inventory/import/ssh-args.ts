import { basename } from 'node:path';
import { parse } from 'shell-quote';

/**
 * Reads jump hosts out of ssh command-line arguments, as found in Ansible's
 * `ansible_ssh_common_args` and in ssh_config `ProxyCommand ssh -W %h:%p bastion`.
 * Tokenised with shell-quote; `$VARS` are kept literally, never expanded.
 */

export type JumpResult = { ok: true; jump: string[]; notes: string[] } | { ok: false; problem: string };

// ssh(1) options that take an argument.
const OPTIONS_WITH_ARGUMENT = new Set('BbcDEeFIiJLlmOoPpQRSWw');

export function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  for (const entry of parse(text, (name) => `$${name}`)) {
    if (typeof entry === 'string') tokens.push(entry);
    else if ('comment' in entry) break;
    else return undefined;
  }
  return tokens;
}

interface SshCommandLine {
  options: Array<[string, string]>;
  positional: string[];
}

function splitSshArgs(tokens: string[]): SshCommandLine {
  const options: Array<[string, string]> = [];
  const positional: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (positional.length > 0 || !token.startsWith('-') || token.length < 2) {
      positional.push(token);
      continue;
    }
    for (let c = 1; c < token.length; c++) {
      const flag = token[c] ?? '';
      if (OPTIONS_WITH_ARGUMENT.has(flag)) {
        const inline = token.slice(c + 1);
        options.push([flag, inline !== '' ? inline : (tokens[++i] ?? '')]);
        break;
      }
      options.push([flag, '']);
    }
  }
  return { options, positional };
}

function splitChain(value: string): string[] {
  return value
    .split(',')
    .map((hop) => hop.trim().replace(/^ssh:\/\//, ''))
    .filter((hop) => hop !== '');
}

/** `-o ProxyJump=x` / `-o "ProxyJump x"` / `-o ProxyCommand=...` values. */
function sshOption(value: string): [string, string] | undefined {
  const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*)$/.exec(value);
  return match ? [match[1]?.toLowerCase() ?? '', match[2] ?? ''] : undefined;
}

/** Jump hosts named by extra ssh arguments (`-J`, `-o ProxyJump`, `-o ProxyCommand`); undefined when there are none. */
export function jumpFromSshArgs(args: string): JumpResult | undefined {
  const tokens = tokenize(args);
  if (!tokens) return { ok: false, problem: 'the ssh arguments contain shell operators' };
  const { options } = splitSshArgs(tokens);
  for (const [flag, value] of options) {
    if (flag === 'J') return { ok: true, jump: splitChain(value), notes: [] };
    if (flag !== 'o') continue;
    const option = sshOption(value);
    if (option?.[0] === 'proxyjump') return option[1] === 'none' ? undefined : { ok: true, jump: splitChain(option[1]), notes: [] };
    if (option?.[0] === 'proxycommand') return option[1] === 'none' ? undefined : jumpFromProxyCommand(option[1]);
  }
  return undefined;
}

const NETCAT = new Set(['nc', 'netcat', 'ncat']);

/**
 * `ssh -W %h:%p [user@]bastion [-p port]` or `ssh bastion nc %h %p` is a jump host in
 * disguise; any other ProxyCommand cannot be carried over.
 */
export function jumpFromProxyCommand(command: string): JumpResult {
  const refused: JumpResult = { ok: false, problem: `ProxyCommand "${command.slice(0, 80)}" is not a plain ssh jump and is not supported` };
  const tokens = tokenize(command);
  if (!tokens || tokens.length < 2 || basename(tokens[0] ?? '') !== 'ssh') return refused;
  const { options, positional } = splitSshArgs(tokens.slice(1));
  const [destination, ...remoteCommand] = positional;
  if (!destination) return refused;
  const forwardsStdio = options.some(([flag, value]) => flag === 'W' && /^(%h|\[%h\]):%p$/.test(value));
  const viaNetcat = NETCAT.has(remoteCommand[0] ?? '') && remoteCommand.slice(-2).join(' ') === '%h %p';
  if (!forwardsStdio && !(viaNetcat && remoteCommand.length >= 3)) return refused;
  if (forwardsStdio && remoteCommand.length > 0) return refused;

  let hop = destination.replace(/^ssh:\/\//, '');
  const user = options.find(([flag]) => flag === 'l')?.[1];
  const port = options.find(([flag]) => flag === 'p')?.[1];
  if (user && !hop.includes('@')) hop = `${user}@${hop}`;
  if (port && !/:\d+$/.test(hop)) hop = `${hop}:${port}`;
  const before = options.filter(([flag]) => flag === 'J').flatMap(([, value]) => splitChain(value));
  const ignored = [...new Set(options.map(([flag]) => flag).filter((flag) => 'iFo'.includes(flag)))];
  const notes = ignored.length > 0 ? [`options ${ignored.map((f) => `-${f}`).join(' ')} of the ProxyCommand were not carried over`] : [];
  return { ok: true, jump: [...before, hop], notes };
}
