import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostKeyApprovals } from '../core/ssh/host-key-approvals';
import { HostKeyVerifier, type HostKeyPolicy } from '../core/ssh/host-verifier';
import { KnownHostsStore } from '../core/ssh/known-hosts';
import { SshDebugLog } from '../core/ssh/log';
import { SshPool, type SshPoolDeps, type SshPoolOptions } from '../core/ssh/pool';
import { AuthPromptBroker } from '../core/ssh/prompts';
import type { SshAuthConfig, SshTarget } from '../core/ssh/target';
import type { Sshd } from './sshd';

export interface PoolFixture {
  pool: SshPool;
  store: KnownHostsStore;
  approvals: HostKeyApprovals;
  prompts: AuthPromptBroker;
  log: SshDebugLog;
  /** A private temp directory (the store lives here); removed by `close`. */
  dir: string;
  close(): Promise<void>;
}

export interface PoolFixtureOptions {
  /** Servers whose host keys are written into the store before the pool starts. */
  trust?: Sshd[];
  /** `ask` (default) waits on `approvals`. */
  policy?: 'ask' | 'acceptNew' | 'strict';
  options?: SshPoolOptions;
  /** Overrides for the pool's dependencies (e.g. a custom answerPrompts). */
  deps?: Partial<SshPoolDeps>;
}

/** A pool wired like the app's: a known-hosts store in a temp dir, approvals, a prompt broker, a log. */
export async function createPoolFixture(fixture: PoolFixtureOptions = {}): Promise<PoolFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-pool-'));
  const storePath = join(dir, 'known_hosts');
  if (fixture.trust?.length) await writeFile(storePath, fixture.trust.map((s) => `${s.knownHostsLine()}\n`).join(''));
  const store = new KnownHostsStore({ storePath, trustedPaths: [] });
  const approvals = new HostKeyApprovals(store);
  const prompts = new AuthPromptBroker();
  const log = new SshDebugLog();
  const mode = fixture.policy ?? 'ask';
  const policy: HostKeyPolicy =
    mode === 'ask' ? { mode, confirmUnknownHost: (info, signal) => approvals.confirm(info, signal) } : { mode };
  const pool = new SshPool(
    {
      hostKeys: new HostKeyVerifier(store, policy, log),
      askPassphrase: prompts.askPassphrase,
      answerPrompts: prompts.answerPrompts,
      log,
      // Tests choose their agent explicitly; the developer's own agent must not leak in.
      env: {},
      ...fixture.deps,
    },
    fixture.options,
  );
  return {
    pool,
    store,
    approvals,
    prompts,
    log,
    dir,
    close: async () => {
      await pool.closeAll();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The target for a test server. */
export function targetOf(sshd: Sshd, user: string, auth: SshAuthConfig, jump?: SshTarget['jump']): SshTarget {
  return { host: sshd.host, port: sshd.port, user, auth, ...(jump ? { jump } : {}) };
}
