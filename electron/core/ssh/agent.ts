import type { SshAuthConfig } from './target';

/** The Windows OpenSSH agent's named pipe. */
export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

/**
 * The agents to ask for keys, in order. `true` follows OpenSSH: SSH_AUTH_SOCK when
 * set; on Windows without it, the OpenSSH agent pipe and then Pageant.
 */
export function agentSources(
  setting: SshAuthConfig['agent'],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string[] {
  if (setting === false) return [];
  if (typeof setting === 'string') return setting === '' ? [] : [setting];
  const fromEnv = env.SSH_AUTH_SOCK;
  if (fromEnv) return [fromEnv];
  return platform === 'win32' ? [WINDOWS_OPENSSH_AGENT_PIPE, 'pageant'] : [];
}
