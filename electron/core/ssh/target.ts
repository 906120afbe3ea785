/** How to reach one SSH server, as the pool sees it. */
export interface SshAuthConfig {
  /** Private key files (OpenSSH or PEM), tried in order after the agent's keys. */
  identityFiles?: string[];
  /**
   * ssh-agent: `true` (default) uses SSH_AUTH_SOCK, or on Windows the OpenSSH agent pipe
   * and Pageant; a string is a socket/pipe path; `false` disables the agent.
   */
  agent?: boolean | string;
  /** A stored password, used for `password` and for a PAM "Password:" keyboard-interactive prompt. */
  password?: string;
  /** Try keyboard-interactive (prompts go to the admin); default true. */
  keyboardInteractive?: boolean;
}

export interface SshHop {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  auth?: SshAuthConfig;
  /** Extra known_hosts files trusted read-only for this hop (the inventory's `knownHostsFile`). */
  knownHostsFiles?: string[];
}

export interface SshTarget extends SshHop {
  /** ProxyJump chain, outermost first: `jump[0]` is reached directly, the target through the last hop. */
  jump?: SshHop[];
}

export const DEFAULT_SSH_PORT = 22;

export function portOf(hop: SshHop): number {
  return hop.port ?? DEFAULT_SSH_PORT;
}

/** `user@host:port`, the form used in logs and errors. */
export function describeHop(hop: SshHop): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user}@${host}:${portOf(hop)}`;
}

/** One connection per (user, host, port, jump chain): this is its identity. */
export function poolKey(target: SshTarget): string {
  const chain = (target.jump ?? []).map(describeHop);
  return [...chain, describeHop(target)].join(' -> ');
}

/** The hop before the target, as a target of its own (with the rest of the chain). */
export function parentOf(target: SshTarget): SshTarget | undefined {
  const jump = target.jump ?? [];
  const last = jump[jump.length - 1];
  if (!last) return undefined;
  return { ...last, jump: jump.slice(0, -1) };
}
