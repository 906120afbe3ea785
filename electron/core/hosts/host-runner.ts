import type { Cluster, Host } from '../../../shared/inventory/schema';
import type { UploadOptions, UploadResult } from '../ssh/transfer';

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  stdin?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/**
 * Runs an argv on a host of a cluster (every element quoted by the SSH layer). Failures
 * to reach the host are AppErrors with SSH_* / TIMEOUT codes. The inspect engine, the
 * operation engine and the CLI share one runner, so one pool serves them all.
 */
export interface HostRunner {
  run(cluster: Cluster, host: Host, argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** Files to a host over SFTP (atomic upload: temporary name, SHA-256, rename). */
export interface HostFileTransfer {
  upload(cluster: Cluster, host: Host, options: UploadOptions): Promise<UploadResult>;
}
