import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HostKeyApprovals } from './host-key-approvals';
import { HostKeyVerifier, type HostKeyPolicy } from './host-verifier';
import { KnownHostsStore } from './known-hosts';
import { SshDebugLog } from './log';
import { SshPool, type SshPoolOptions } from './pool';
import { AuthPromptBroker } from './prompts';
import { SshService, type SshServiceDeps } from './service';

/** OpenSSH's default identity files, in its order. */
export const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'];

export interface SshLayerOptions {
  /** The app's data directory; its `known_hosts` is the writable store unless `knownHostsPath` says otherwise. */
  dataDir: string;
  /** Whose ~/.ssh to read (default: the current user's). */
  homeDir?: string;
  /** The writable known-hosts file (the CLI's --known-hosts). */
  knownHostsPath?: string;
  /** Read-only trusted files; default `~/.ssh/known_hosts`. */
  trustedKnownHostsPaths?: string[];
  /** `ask` (the app, default), `acceptNew` (CLI --accept-new) or `strict` (CLI default). */
  hostKeyMode?: HostKeyPolicy['mode'];
  pool?: SshPoolOptions;
  audit?: SshServiceDeps['audit'];
  env?: NodeJS.ProcessEnv;
}

/** Builds the SSH layer as the app, the browser mode and the CLI use it. */
export function createSshLayer(options: SshLayerOptions) {
  const home = options.homeDir ?? homedir();
  const sshDir = join(home, '.ssh');
  const log = new SshDebugLog();
  const store = new KnownHostsStore({
    storePath: options.knownHostsPath ?? join(options.dataDir, 'known_hosts'),
    trustedPaths: options.trustedKnownHostsPaths ?? [join(sshDir, 'known_hosts')],
  });
  const approvals = new HostKeyApprovals(store);
  const prompts = new AuthPromptBroker();
  const mode = options.hostKeyMode ?? 'ask';
  const policy: HostKeyPolicy =
    mode === 'ask' ? { mode, confirmUnknownHost: (info, signal) => approvals.confirm(info, signal) } : { mode };
  const identityFiles = DEFAULT_IDENTITY_FILES.map((name) => join(sshDir, name)).filter((path) => existsSync(path));
  const pool = new SshPool(
    {
      hostKeys: new HostKeyVerifier(store, policy, log),
      askPassphrase: prompts.askPassphrase,
      answerPrompts: prompts.answerPrompts,
      log,
      ...(options.env ? { env: options.env } : {}),
    },
    { defaultAuth: { identityFiles, agent: true }, ...options.pool },
  );
  const service = new SshService({ approvals, prompts, store, log, ...(options.audit ? { audit: options.audit } : {}) });
  return {
    pool,
    store,
    approvals,
    prompts,
    log,
    service,
    close: () => pool.closeAll(),
  };
}

export type SshLayer = ReturnType<typeof createSshLayer>;
