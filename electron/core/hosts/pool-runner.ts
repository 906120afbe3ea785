import type { Cluster, Host } from '../../../shared/inventory/schema';
import type { SecretStore } from '../inventory/secrets';
import { exec } from '../ssh/exec';
import type { SshPool } from '../ssh/pool';
import { upload, type UploadOptions, type UploadResult } from '../ssh/transfer';
import type { HostFileTransfer, HostRunner, RunOptions, RunResult } from './host-runner';
import { sshTargetOf } from './ssh-targets';

/** The HostRunner every feature uses: inventory host -> SSH target -> one exec on the shared pool. */
export class PoolHostRunner implements HostRunner, HostFileTransfer {
  constructor(
    private readonly pool: SshPool,
    private readonly secrets: SecretStore,
    private readonly home?: string,
  ) {}

  async run(cluster: Cluster, host: Host, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const target = await sshTargetOf(cluster, host, this.secrets, this.home);
    return exec(this.pool, target, argv, options);
  }

  async upload(cluster: Cluster, host: Host, options: UploadOptions): Promise<UploadResult> {
    return upload(this.pool, await sshTargetOf(cluster, host, this.secrets, this.home), options);
  }
}
