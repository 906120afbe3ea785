import { collectSecretIds, type Cluster } from '../../shared/inventory/schema';
import { createLogger, stderrSink, type Logger } from '../core/log/logger';
import { defaultDataDir } from '../core/paths';
import { PoolHostRunner } from '../core/hosts/pool-runner';
import { loadInventoryFile } from '../core/inventory/import/detect';
import { VaultSecretStore, type SecretStore } from '../core/inventory/secrets';
import { createSshLayer, type SshLayer } from '../core/ssh/layer';
import { UsageError, type CliIO } from './command';

/** Flags every command that reaches hosts shares. */
export const connectionOptions = {
  'known-hosts': { type: 'string' },
  'accept-new': { type: 'boolean' },
  'data-dir': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

export const connectionUsage = `  --known-hosts FILE  trust and record host keys in FILE (default: the app's store,
                      plus ~/.ssh/known_hosts read-only)
  --accept-new        accept keys of hosts never seen before (OpenSSH's
                      StrictHostKeyChecking=accept-new); a CHANGED key is still refused
  --data-dir DIR      Switchboard's data directory (secrets vault, known hosts)
  --verbose           log SSH lifecycle to stderr (secrets redacted)`;

export interface ConnectionFlags {
  'known-hosts'?: string;
  'accept-new'?: boolean;
  'data-dir'?: string;
  verbose?: boolean;
}

export interface HostsContext {
  log: Logger;
  ssh: SshLayer;
  secrets: SecretStore;
  runner: PoolHostRunner;
  close(): Promise<void>;
}

/**
 * The SSH layer as the CLI uses it: host keys are strict (an unknown host is an error
 * naming its fingerprint) unless --accept-new; secrets come from the vault, unlocked with
 * SWITCHBOARD_VAULT_PASSPHRASE when the inventory refers to any.
 */
export async function openHosts(io: CliIO, flags: ConnectionFlags, clusters: readonly Cluster[] = []): Promise<HostsContext> {
  const log = createLogger({ minLevel: flags.verbose ? 'debug' : 'error', sink: stderrSink });
  const dataDir = flags['data-dir'] ?? defaultDataDir(io.env);
  const secrets = new VaultSecretStore(dataDir);
  if (collectSecretIds(clusters).size > 0) {
    const passphrase = io.env.SWITCHBOARD_VAULT_PASSPHRASE;
    if (!passphrase) {
      throw new UsageError('the inventory refers to stored secrets: set SWITCHBOARD_VAULT_PASSPHRASE to unlock the vault');
    }
    await secrets.unlock(passphrase);
  }
  const ssh = createSshLayer({
    dataDir,
    ...(flags['known-hosts'] ? { knownHostsPath: flags['known-hosts'] } : {}),
    hostKeyMode: flags['accept-new'] ? 'acceptNew' : 'strict',
    env: io.env,
  });
  if (flags.verbose) {
    ssh.log.subscribe((entry) => io.stderr.write(`[ssh] ${entry.level} ${entry.target ?? ''} ${entry.message}\n`));
  }
  return { log, ssh, secrets, runner: new PoolHostRunner(ssh.pool, secrets), close: () => ssh.close() };
}

/** Clusters from --inventory (a Switchboard inventory, an Ansible inventory or an ssh_config), optionally one by name. */
export async function loadClusters(io: CliIO, path: string | undefined, name?: string): Promise<Cluster[]> {
  if (!path) throw new UsageError('--inventory FILE is required');
  const loaded = await loadInventoryFile(path);
  for (const warning of loaded.warnings) io.stderr.write(`warning: ${warning}\n`);
  const clusters = name === undefined ? loaded.inventory.clusters : loaded.inventory.clusters.filter((c) => c.name === name);
  if (clusters.length === 0) {
    const known = loaded.inventory.clusters.map((c) => c.name).join(', ') || 'none';
    throw new UsageError(name === undefined ? `${path} has no clusters` : `no cluster "${name}" in ${path} (clusters: ${known})`);
  }
  return clusters;
}
