import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { hostKeyCalls, sshCalls, sshEvents } from '../../../shared/contract/ssh';
import type { AuditInput } from '../audit/audit-log';
import type { Handlers } from '../rpc/dispatcher';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { fingerprintOf, parsePublicKey } from './host-key';
import { HostKeyApprovals } from './host-key-approvals';
import { KnownHostsStore } from './known-hosts';
import { SshDebugLog } from './log';
import { AuthPromptBroker } from './prompts';
import { SshService } from './service';

let dir: string;
let hostKey: KeyPair;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-ssh-service-'));
  hostKey = await generateKeyPair(dir, 'host');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function build(name: string) {
  const store = new KnownHostsStore({ storePath: join(dir, name, 'known_hosts') });
  const approvals = new HostKeyApprovals(store);
  const prompts = new AuthPromptBroker();
  const log = new SshDebugLog();
  const audited: AuditInput[] = [];
  const service = new SshService({
    approvals,
    prompts,
    store,
    log,
    audit: { append: async (entry) => audited.push(entry) },
  });
  const events: Array<{ event: string; payload: unknown }> = [];
  service.subscribe((event, payload) => {
    expect(sshEvents[event].payload.safeParse(payload).success).toBe(true);
    events.push({ event, payload });
  });
  return { store, approvals, prompts, log, service, audited, events };
}

function unknownKeyInfo(port: number) {
  const key = parsePublicKey(hostKey.publicLine);
  return {
    host: '10.0.0.7',
    port,
    keyType: key.type,
    fingerprint: fingerprintOf(key.blob),
    publicKey: key.blob.toString('base64'),
    knownTypes: [],
  };
}

describe('SshService', () => {
  it('provides a handler for every ssh call of the contract', () => {
    const { service } = build('handlers');
    const handlers: Handlers<{ hostKeys: typeof hostKeyCalls; ssh: typeof sshCalls }> = service.handlers();
    expect(Object.keys(handlers.hostKeys).sort()).toEqual(Object.keys(hostKeyCalls).sort());
    expect(Object.keys(handlers.ssh).sort()).toEqual(Object.keys(sshCalls).sort());
  });

  it('lists, approves (audited) and rejects pending host keys, emitting events', async () => {
    const { approvals, service, audited, events, store } = build('approve');
    const first = approvals.confirm(unknownKeyInfo(22));
    const second = approvals.confirm(unknownKeyInfo(2222));
    const listed = service.pendingHostKeys({});
    expect(hostKeyCalls.pending.output.safeParse(listed).success).toBe(true);
    expect(listed.items.map((item) => item.port)).toEqual([22, 2222]);

    const [approveId, rejectId] = listed.items.map((item) => item.id) as [string, string];
    expect(await service.approveHostKeys({ ids: [approveId, 'unknown-id'] })).toEqual({ approved: [approveId] });
    expect(await service.rejectHostKeys({ ids: [rejectId] })).toEqual({ rejected: [rejectId] });
    expect(await first).toBe(true);
    expect(await second).toBe(false);
    expect(await readFile(store.storePath, 'utf8')).toContain('10.0.0.7 ssh-ed25519 ');
    expect(audited.map((entry) => [entry.action, entry.hosts])).toEqual([
      ['hostKey.approve', ['10.0.0.7:22']],
      ['hostKey.reject', ['10.0.0.7:2222']],
    ]);
    expect(events.map((e) => e.event)).toEqual(['hostKeyPending', 'hostKeyPending', 'hostKeyResolved', 'hostKeyResolved']);
  });

  it('replaces a host key only when the shown fingerprint matches the key', async () => {
    const { service, store, audited } = build('replace');
    const info = unknownKeyInfo(22);
    const wrong = await service
      .replaceHostKey({ host: info.host, port: 22, keyType: info.keyType, publicKey: info.publicKey, fingerprint: 'SHA256:nope' })
      .catch((e: unknown) => e);
    expect((wrong as AppError).code).toBe('INVALID_INPUT');
    expect(
      await service.replaceHostKey({ host: info.host, port: 22, keyType: info.keyType, publicKey: info.publicKey, fingerprint: info.fingerprint }),
    ).toEqual({ fingerprint: info.fingerprint });
    expect((await store.check(info.host, 22, parsePublicKey(hostKey.publicLine))).status).toBe('trusted');
    expect(audited.at(-1)).toMatchObject({ action: 'hostKey.replace', details: { fingerprint: info.fingerprint } });
  });

  it('answers and declines authentication prompts', async () => {
    const { prompts, service, events } = build('prompts');
    const passphrase = prompts.askPassphrase('/keys/id_ed25519');
    const keyboard = prompts.answerPrompts('u@h:22', [{ prompt: 'Code: ', echo: true }], {
      kind: 'keyboard-interactive',
      title: 'Login',
      instructions: 'Enter the code',
    });
    const listed = service.pendingPrompts({});
    expect(sshCalls.pendingPrompts.output.safeParse(listed).success).toBe(true);
    const [passphraseItem, keyboardItem] = listed.items;
    expect(passphraseItem).toMatchObject({ kind: 'passphrase', target: '/keys/id_ed25519' });

    const wrongCount = (() => {
      try {
        service.answerPrompt({ id: keyboardItem!.id, answers: ['a', 'b'] });
      } catch (error) {
        return error;
      }
    })();
    expect((wrongCount as AppError).code).toBe('INVALID_INPUT');

    service.answerPrompt({ id: keyboardItem!.id, answers: ['123456'] });
    service.cancelPrompt({ id: passphraseItem!.id });
    expect(await keyboard).toEqual(['123456']);
    expect(await passphrase).toBeNull();
    expect(() => service.cancelPrompt({ id: passphraseItem!.id })).toThrow(AppError);
    expect(events.filter((e) => e.event === 'authPromptResolved').map((e) => e.payload)).toEqual([
      { id: keyboardItem!.id, answered: true },
      { id: passphraseItem!.id, answered: false },
    ]);
  });

  it('reads the debug log after a sequence number, with secrets redacted', () => {
    const { log, service } = build('log');
    log.registerSecret('hunter2-secret');
    log.add('info', 'connect', 'connecting', 'u@h:22');
    log.add('warn', 'auth', 'tried password hunter2-secret', 'u@h:22');
    const all = service.debugLog({});
    expect(sshCalls.debugLog.output.safeParse(all).success).toBe(true);
    expect(all.entries).toHaveLength(2);
    expect(JSON.stringify(all)).not.toContain('hunter2-secret');
    expect(service.debugLog({ afterSeq: all.entries[0]!.seq }).entries.map((e) => e.event)).toEqual(['auth']);
  });
});
