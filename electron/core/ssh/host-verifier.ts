import { AppError } from '../../../shared/contract/errors';
import { fingerprintOf, hostKeyFromBlob, publicKeyBase64 } from './host-key';
import type { UnknownHostKeyInfo } from './host-key-approvals';
import type { KnownHostsStore } from './known-hosts';
import { knownHostsName } from './known-hosts-format';
import type { SshDebugLog } from './log';

/**
 * What happens to a host key the store does not know. Nothing auto-accepts except
 * `acceptNew`, OpenSSH's StrictHostKeyChecking=accept-new for the CLI; a changed key
 * is refused in every mode.
 */
export type HostKeyPolicy =
  /** Wait for the admin's decision (the app: `HostKeyApprovals.confirm`). */
  | { mode: 'ask'; confirmUnknownHost: (info: UnknownHostKeyInfo, signal?: AbortSignal) => Promise<boolean> }
  | { mode: 'acceptNew' }
  /** Refuse, naming the fingerprint (the CLI without --accept-new). */
  | { mode: 'strict' };

export interface HostKeyCheckContext {
  /** `user@host:port` of the connection, for the log. */
  target: string;
  via?: string;
  signal?: AbortSignal;
  /** Read-only known_hosts files trusted for this host only. */
  trustedPaths?: readonly string[];
}

export class HostKeyVerifier {
  constructor(
    private readonly store: KnownHostsStore,
    private readonly policy: HostKeyPolicy,
    private readonly log: SshDebugLog,
  ) {}

  /** Resolves when the key may be used; throws an SSH_HOST_KEY_* AppError otherwise. */
  async verify(host: string, port: number, blob: Buffer, context: HostKeyCheckContext): Promise<void> {
    const key = hostKeyFromBlob(blob);
    const fingerprint = fingerprintOf(blob);
    const name = knownHostsName(host, port);
    const status = await this.store.check(host, port, key, context.trustedPaths);
    const keyDetails = { host, port, keyType: key.type, fingerprint, publicKey: publicKeyBase64(key) };

    if (status.status === 'trusted') {
      this.log.add('info', 'host-key', `${key.type} ${fingerprint} trusted (${status.source})`, context.target);
      return;
    }
    if (status.status === 'revoked') {
      this.log.add('error', 'host-key', `${key.type} ${fingerprint} is revoked (${status.source})`, context.target);
      throw new AppError('SSH_HOST_KEY_CHANGED', `The host key of ${name} is marked @revoked in ${status.source}`, {
        ...keyDetails,
        revoked: true,
      });
    }
    if (status.status === 'changed') {
      const expected = status.expected.map((entry) => entry.fingerprint);
      this.log.add(
        'error',
        'host-key',
        `${key.type} key CHANGED: expected ${expected.join(', ')}, got ${fingerprint}; refused`,
        context.target,
      );
      throw new AppError(
        'SSH_HOST_KEY_CHANGED',
        `The ${key.type} host key of ${name} has changed: expected ${expected.join(' or ')}, ` +
          `the server presented ${fingerprint}. The connection was refused; replace the key only if the change is expected.`,
        {
          host,
          port,
          keyType: key.type,
          expectedFingerprints: expected,
          expectedSources: status.expected.map((entry) => entry.source),
          presentedFingerprint: fingerprint,
          presentedPublicKey: keyDetails.publicKey,
        },
      );
    }

    const info: UnknownHostKeyInfo = { ...keyDetails, knownTypes: status.knownTypes };
    if (context.via !== undefined) info.via = context.via;
    if (this.policy.mode === 'strict') {
      this.log.add('warn', 'host-key', `${key.type} ${fingerprint} unknown; refused (strict)`, context.target);
      throw new AppError(
        'SSH_HOST_KEY_UNKNOWN',
        `The host key of ${name} is not known: ${key.type} ${fingerprint}`,
        { ...info },
      );
    }
    if (this.policy.mode === 'acceptNew') {
      await this.store.add(host, port, key);
      this.log.add('warn', 'host-key', `${key.type} ${fingerprint} unknown; added (accept-new)`, context.target);
      return;
    }
    this.log.add('info', 'host-key', `${key.type} ${fingerprint} unknown; waiting for the admin`, context.target);
    const approved = await this.policy.confirmUnknownHost(info, context.signal);
    if (!approved) {
      this.log.add('warn', 'host-key', `${key.type} ${fingerprint} not approved`, context.target);
      throw new AppError(
        'SSH_HOST_KEY_UNKNOWN',
        `The host key of ${name} (${key.type} ${fingerprint}) was not approved`,
        { ...info },
      );
    }
    await this.store.add(host, port, key);
    this.log.add('info', 'host-key', `${key.type} ${fingerprint} approved by the admin`, context.target);
  }
}
