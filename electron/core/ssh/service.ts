import type { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import type { hostKeyCalls, sshCalls, sshEvents } from '../../../shared/contract/ssh';
import type { AuditInput } from '../audit/audit-log';
import { fingerprintOf, parsePublicKey } from './host-key';
import type { HostKeyApprovals } from './host-key-approvals';
import type { KnownHostsStore } from './known-hosts';
import type { SshDebugLog } from './log';
import type { AuthPromptBroker } from './prompts';

type In<C> = C extends { input: infer I extends z.ZodType } ? z.output<I> : never;
type Out<C> = C extends { output: infer O extends z.ZodType } ? z.input<O> : never;
type HostKeyCalls = typeof hostKeyCalls;
type SshCalls = typeof sshCalls;

export type SshEventName = keyof typeof sshEvents;
export type SshEventPayload<E extends SshEventName> = z.input<(typeof sshEvents)[E]['payload']>;
export type SshEventSink = <E extends SshEventName>(event: E, payload: SshEventPayload<E>) => void;

export interface SshServiceDeps {
  approvals: HostKeyApprovals;
  prompts: AuthPromptBroker;
  store: KnownHostsStore;
  log: SshDebugLog;
  /** Records host-key decisions (who trusted which fingerprint). */
  audit?: { append(input: AuditInput): Promise<unknown> };
}

/** The contract face of the SSH layer: host-key decisions, auth prompts, the debug log. */
export class SshService {
  constructor(private readonly deps: SshServiceDeps) {}

  pendingHostKeys(_input: In<HostKeyCalls['pending']>): Out<HostKeyCalls['pending']> {
    return { items: this.deps.approvals.pending() };
  }

  async approveHostKeys(input: In<HostKeyCalls['approve']>): Promise<Out<HostKeyCalls['approve']>> {
    const items = new Map(this.deps.approvals.pending().map((item) => [item.id, item]));
    const approved = await this.deps.approvals.approve(input.ids);
    if (approved.length > 0) {
      const hosts = approved.map((id) => items.get(id)).filter((item) => item !== undefined);
      await this.deps.audit?.append({
        action: 'hostKey.approve',
        hosts: hosts.map((item) => `${item.host}:${item.port}`),
        outcome: 'ok',
        summary: `Trusted ${approved.length} new host key(s)`,
        details: { keys: hosts.map((item) => ({ host: item.host, port: item.port, keyType: item.keyType, fingerprint: item.fingerprint })) },
      });
    }
    return { approved };
  }

  async rejectHostKeys(input: In<HostKeyCalls['reject']>): Promise<Out<HostKeyCalls['reject']>> {
    const items = new Map(this.deps.approvals.pending().map((item) => [item.id, item]));
    const rejected = this.deps.approvals.reject(input.ids);
    if (rejected.length > 0) {
      const hosts = rejected.map((id) => items.get(id)).filter((item) => item !== undefined);
      await this.deps.audit?.append({
        action: 'hostKey.reject',
        hosts: hosts.map((item) => `${item.host}:${item.port}`),
        outcome: 'ok',
        summary: `Refused ${rejected.length} new host key(s)`,
        details: { keys: hosts.map((item) => ({ host: item.host, port: item.port, fingerprint: item.fingerprint })) },
      });
    }
    return { rejected };
  }

  /** The only way a changed host key becomes trusted. */
  async replaceHostKey(input: In<HostKeyCalls['replace']>): Promise<Out<HostKeyCalls['replace']>> {
    const key = parsePublicKey(`${input.keyType} ${input.publicKey}`);
    const fingerprint = fingerprintOf(key.blob);
    if (fingerprint !== input.fingerprint) {
      throw new AppError('INVALID_INPUT', `The key's fingerprint is ${fingerprint}, not the ${input.fingerprint} that was shown`);
    }
    await this.deps.store.replace(input.host, input.port, key);
    this.deps.log.add('warn', 'host-key', `${key.type} key replaced by the admin; now ${fingerprint}`, `${input.host}:${input.port}`);
    await this.deps.audit?.append({
      action: 'hostKey.replace',
      hosts: [`${input.host}:${input.port}`],
      outcome: 'ok',
      summary: `Replaced the ${key.type} host key of ${input.host}:${input.port}`,
      details: { keyType: key.type, fingerprint },
    });
    return { fingerprint };
  }

  pendingPrompts(_input: In<SshCalls['pendingPrompts']>): Out<SshCalls['pendingPrompts']> {
    return { items: this.deps.prompts.pending() };
  }

  answerPrompt(input: In<SshCalls['answerPrompt']>): Out<SshCalls['answerPrompt']> {
    this.deps.prompts.answer(input.id, input.answers);
    return {};
  }

  cancelPrompt(input: In<SshCalls['cancelPrompt']>): Out<SshCalls['cancelPrompt']> {
    this.deps.prompts.cancel(input.id);
    return {};
  }

  debugLog(input: In<SshCalls['debugLog']>): Out<SshCalls['debugLog']> {
    return { entries: this.deps.log.read(input) };
  }

  /** The handlers for `hostKeys.*` and `ssh.*`, ready for the dispatcher. */
  handlers() {
    return {
      hostKeys: {
        pending: (input: In<HostKeyCalls['pending']>) => this.pendingHostKeys(input),
        approve: (input: In<HostKeyCalls['approve']>) => this.approveHostKeys(input),
        reject: (input: In<HostKeyCalls['reject']>) => this.rejectHostKeys(input),
        replace: (input: In<HostKeyCalls['replace']>) => this.replaceHostKey(input),
      },
      ssh: {
        pendingPrompts: (input: In<SshCalls['pendingPrompts']>) => this.pendingPrompts(input),
        answerPrompt: (input: In<SshCalls['answerPrompt']>) => this.answerPrompt(input),
        cancelPrompt: (input: In<SshCalls['cancelPrompt']>) => this.cancelPrompt(input),
        debugLog: (input: In<SshCalls['debugLog']>) => this.debugLog(input),
      },
    };
  }

  /** Forwards the SSH layer's events (new pending host keys and prompts) to a sink; returns unsubscribe. */
  subscribe(emit: SshEventSink): () => void {
    const stops = [
      this.deps.approvals.onPending((item) => emit('hostKeyPending', item)),
      this.deps.approvals.onResolved((decision) => emit('hostKeyResolved', decision)),
      this.deps.prompts.onPending((prompt) => emit('authPromptPending', prompt)),
      this.deps.prompts.onResolved((resolved) => emit('authPromptResolved', resolved)),
    ];
    return () => stops.forEach((stop) => stop());
  }
}
