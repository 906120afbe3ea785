import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { startSshAgent, type SshAgent } from '../../testing/ssh-agent';
import { createPoolFixture, targetOf, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { exec } from './exec';

const PASSPHRASE = 'correct horse $(battery) staple';

let user: TestUser;
let keyDir: string;
let plainKey: KeyPair;
let pemKey: KeyPair;
let encryptedKey: KeyPair;
let agentKey: KeyPair;
let unauthorisedKey: KeyPair;
let keyServer: Sshd;
let passwordServer: Sshd;
let keyboardServer: Sshd;
let agent: SshAgent;
const fixtures: PoolFixture[] = [];

async function fixture(trust: Sshd[]): Promise<PoolFixture> {
  const created = await createPoolFixture({ trust });
  fixtures.push(created);
  return created;
}

async function whoami(f: PoolFixture, server: Sshd, auth: Parameters<typeof targetOf>[2]): Promise<string> {
  const result = await exec(f.pool, targetOf(server, user.name, auth), ['id', '-un']);
  return result.stdout.trim();
}

beforeAll(async () => {
  user = await ensureTestUser();
  keyDir = await mkdtemp(join(tmpdir(), 'sb-auth-keys-'));
  [plainKey, pemKey, encryptedKey, agentKey, unauthorisedKey] = await Promise.all([
    generateKeyPair(keyDir, 'plain'),
    generateKeyPair(keyDir, 'pem', { type: 'rsa', format: 'pem' }),
    generateKeyPair(keyDir, 'encrypted', { passphrase: PASSPHRASE }),
    generateKeyPair(keyDir, 'agent'),
    generateKeyPair(keyDir, 'unauthorised'),
  ]);
  const authorizedKeys = [plainKey, pemKey, encryptedKey, agentKey].map((k) => k.publicLine);
  [keyServer, passwordServer, keyboardServer, agent] = await Promise.all([
    startSshd({ authorizedKeys }),
    startSshd({ password: true }),
    startSshd({ keyboardInteractive: true }),
    startSshAgent(),
  ]);
  await agent.add(agentKey.privatePath);
});

afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  await Promise.all([keyServer?.stop(), passwordServer?.stop(), keyboardServer?.stop(), agent?.stop()]);
  await rm(keyDir, { recursive: true, force: true });
});

describe('public key authentication', () => {
  it('logs in with an OpenSSH-format key file and records the method', async () => {
    const f = await fixture([keyServer]);
    expect(await whoami(f, keyServer, { identityFiles: [plainKey.privatePath], agent: false })).toBe(user.name);
    const auth = f.log.read().filter((entry) => entry.event === 'auth' || entry.event === 'ready');
    expect(auth.map((entry) => entry.message).join('\n')).toContain(`publickey (${plainKey.privatePath})`);
  });

  it('logs in with a PEM RSA key file', async () => {
    const f = await fixture([keyServer]);
    expect(await whoami(f, keyServer, { identityFiles: [pemKey.privatePath], agent: false })).toBe(user.name);
  });

  it('asks once for a passphrase, retries a wrong one, and keeps the key in memory only', async () => {
    const f = await fixture([keyServer]);
    const asked: string[] = [];
    f.prompts.onPending((prompt) => {
      asked.push(prompt.target);
      expect(prompt.kind).toBe('passphrase');
      expect(prompt.prompts[0]?.echo).toBe(false);
      f.prompts.answer(prompt.id, [asked.length === 1 ? 'wrong passphrase' : PASSPHRASE]);
    });
    const target = targetOf(keyServer, user.name, { identityFiles: [encryptedKey.privatePath], agent: false });
    expect((await exec(f.pool, target, ['id', '-un'])).stdout.trim()).toBe(user.name);
    expect(asked).toEqual([encryptedKey.privatePath, encryptedKey.privatePath]);

    // A new connection reuses the decrypted key: no new question.
    await f.pool.close(target);
    expect((await exec(f.pool, target, ['true'])).exitCode).toBe(0);
    expect(asked).toHaveLength(2);
    expect(JSON.stringify(f.log.read())).not.toContain(PASSPHRASE);
  });

  it('skips an encrypted key whose passphrase the admin declines, and says so', async () => {
    const f = await fixture([keyServer]);
    f.prompts.onPending((prompt) => f.prompts.cancel(prompt.id));
    const target = targetOf(keyServer, user.name, { identityFiles: [encryptedKey.privatePath], agent: false });
    const error = await exec(f.pool, target, ['true']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('SSH_AUTH');
    expect((error as AppError).message).toContain(`${encryptedKey.privatePath}: passphrase not given`);
  });

  it('logs in with a key held by a real ssh-agent', async () => {
    const f = await fixture([keyServer]);
    expect(await whoami(f, keyServer, { agent: agent.socket })).toBe(user.name);
    expect(f.log.read().some((entry) => entry.message.includes(`agent ${agent.socket}`))).toBe(true);
  });

  it('takes the agent from SSH_AUTH_SOCK when told to use "the" agent', async () => {
    const created = await createPoolFixture({ trust: [keyServer], deps: { env: { SSH_AUTH_SOCK: agent.socket } } });
    fixtures.push(created);
    expect(await whoami(created, keyServer, { agent: true })).toBe(user.name);
  });

  it('fails with SSH_AUTH naming what the server offered and what was tried', async () => {
    const f = await fixture([keyServer]);
    const error = await exec(
      f.pool,
      targetOf(keyServer, user.name, { identityFiles: [unauthorisedKey.privatePath], agent: false }),
      ['true'],
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('SSH_AUTH');
    expect(appError.details?.offered).toEqual(['publickey']);
    expect(appError.details?.tried).toEqual([`publickey (${unauthorisedKey.privatePath})`]);
    expect(appError.message).toContain('The server offered: publickey');
  });
});

describe('password and keyboard-interactive authentication', () => {
  it('logs in with a stored password, which never reaches the log', async () => {
    const f = await fixture([passwordServer]);
    expect(await whoami(f, passwordServer, { password: user.password, agent: false })).toBe(user.name);
    expect(f.log.read().some((entry) => entry.message.includes('trying password'))).toBe(true);
    expect(JSON.stringify(f.log.read())).not.toContain(user.password);
  });

  it('asks the admin for the password when none is stored', async () => {
    const f = await fixture([passwordServer]);
    const kinds: string[] = [];
    f.prompts.onPending((prompt) => {
      kinds.push(prompt.kind);
      f.prompts.answer(prompt.id, [user.password]);
    });
    expect(await whoami(f, passwordServer, { agent: false })).toBe(user.name);
    expect(kinds).toEqual(['password']);
  });

  it('reports a wrong password as SSH_AUTH without the password in the message', async () => {
    const f = await fixture([passwordServer]);
    const wrong = 'not-the-password-123';
    const error = await exec(f.pool, targetOf(passwordServer, user.name, { password: wrong, agent: false }), ['true']).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe('SSH_AUTH');
    expect((error as AppError).details?.offered).toContain('password');
    expect(JSON.stringify((error as AppError).toContract())).not.toContain(wrong);
  });

  it('forwards keyboard-interactive prompts to the admin and sends the answers', async () => {
    const f = await fixture([keyboardServer]);
    const seen: Array<{ kind: string; prompt: string | undefined; echo: boolean | undefined }> = [];
    f.prompts.onPending((prompt) => {
      seen.push({ kind: prompt.kind, prompt: prompt.prompts[0]?.prompt, echo: prompt.prompts[0]?.echo });
      f.prompts.answer(prompt.id, [user.password]);
    });
    expect(await whoami(f, keyboardServer, { agent: false })).toBe(user.name);
    expect(seen).toEqual([{ kind: 'keyboard-interactive', prompt: expect.stringMatching(/password/i), echo: false }]);
    expect(keyboardServer.log()).toContain(`Accepted keyboard-interactive/pam for ${user.name}`);
  });

  it('answers a PAM "Password:" prompt with the stored password', async () => {
    const f = await fixture([keyboardServer]);
    f.prompts.onPending(() => {
      throw new Error('the admin should not be asked');
    });
    expect(await whoami(f, keyboardServer, { password: user.password, agent: false })).toBe(user.name);
  });
});
