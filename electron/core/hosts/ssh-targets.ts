import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../shared/contract/errors';
import { parseJumpSpec } from '../../../shared/inventory/address';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import type { SecretStore } from '../inventory/secrets';
import type { SshAuthConfig, SshHop, SshTarget } from '../ssh/target';

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** The pool's auth settings for a host of the inventory; secrets are read from the secret store. */
async function authOf(host: Host, secrets: SecretStore, home: string): Promise<SshAuthConfig> {
  const auth: SshAuthConfig = { agent: true, keyboardInteractive: true };
  if (host.auth.identityFile) auth.identityFiles = [expandHome(host.auth.identityFile, home)];
  if (host.auth.method === 'password') {
    if (!host.auth.password) throw new AppError('SSH_AUTH', `Host ${host.name} uses password authentication but no password is stored`);
    auth.password = await secrets.get(host.auth.password.secret);
  }
  return auth;
}

/**
 * Turns a host of the inventory into what the SSH pool connects to: its address, user,
 * auth and the ProxyJump chain, where each hop is another host of the cluster (with its
 * own auth) or a `[user@]host[:port]` reached with the host's own user and the agent.
 */
export async function sshTargetOf(cluster: Cluster, host: Host, secrets: SecretStore, home = homedir()): Promise<SshTarget> {
  const jump: SshHop[] = [];
  for (const hop of host.jump ?? []) {
    const named = cluster.hosts.find((h) => h.name === hop);
    if (named) {
      // A named hop brings its own chain first (a bastion behind a bastion).
      const chain = await sshTargetOf(cluster, named, secrets, home);
      const { jump: inner, ...hop } = chain;
      jump.push(...(inner ?? []), hop);
      continue;
    }
    const spec = parseJumpSpec(hop);
    if (!spec.ok) throw new AppError('INVALID_INPUT', spec.problem);
    jump.push({ host: spec.spec.address, port: spec.spec.port ?? 22, user: spec.spec.user ?? host.user, auth: { agent: true } });
  }
  const target: SshTarget = { host: host.address, port: host.port, user: host.user, auth: await authOf(host, secrets, home) };
  if (host.knownHostsFile) target.knownHostsFiles = [expandHome(host.knownHostsFile, home)];
  if (jump.length > 0) target.jump = jump;
  return target;
}
