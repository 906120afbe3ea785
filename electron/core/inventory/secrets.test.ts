import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EncryptedSecretStore, SYSTEM_SECRETS_FILE, VAULT_FILE, VaultSecretStore, type PlatformCipher } from './secrets';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-secrets-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const PASSPHRASE = 'correct horse battery staple';
const SECRET = 'Sup3r-Secret-Mongo-Password';

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('VaultSecretStore', () => {
  it('creates the vault on first unlock and keeps only ciphertext on disk, mode 0600', async () => {
    const dir = tempDir();
    const vault = new VaultSecretStore(dir);
    expect(await vault.status()).toEqual({ backend: 'vault', state: 'absent' });
    await vault.unlock(PASSPHRASE);
    const id = await vault.set(SECRET);
    expect(await vault.get(id)).toBe(SECRET);
    expect(await vault.status()).toEqual({ backend: 'vault', state: 'unlocked' });

    const file = join(dir, VAULT_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = readFileSync(file, 'utf8');
    for (const needle of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex'), PASSPHRASE]) {
      expect(raw).not.toContain(needle);
    }
    expect(JSON.parse(raw)).toMatchObject({ format: 'switchboard-vault', kdf: { name: 'scrypt' }, cipher: { name: 'aes-256-gcm' } });
  });

  it('refuses a wrong passphrase without decrypting anything and without echoing it', async () => {
    const dir = tempDir();
    const first = new VaultSecretStore(dir);
    await first.unlock(PASSPHRASE);
    const id = await first.set(SECRET);

    const vault = new VaultSecretStore(dir);
    expect(await vault.status()).toEqual({ backend: 'vault', state: 'locked' });
    const error = await rejection(vault.unlock('wrong passphrase 123'));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Wrong vault passphrase' });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('wrong passphrase 123');
    expect(await vault.status()).toEqual({ backend: 'vault', state: 'locked' });
    await expect(vault.get(id)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('locked') });
    await expect(vault.set('x')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    await vault.unlock(PASSPHRASE);
    expect(await vault.get(id)).toBe(SECRET);
    vault.lock();
    await expect(vault.get(id)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('detects tampering with the KDF parameters or the ciphertext', async () => {
    const dir = tempDir();
    const vault = new VaultSecretStore(dir);
    await vault.unlock(PASSPHRASE);
    await vault.set(SECRET);
    const file = join(dir, VAULT_FILE);
    const original = JSON.parse(readFileSync(file, 'utf8'));

    writeFileSync(file, JSON.stringify({ ...original, kdf: { ...original.kdf, N: 2 ** 14 } }));
    await expect(new VaultSecretStore(dir).unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const data = Buffer.from(original.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    writeFileSync(file, JSON.stringify({ ...original, data: data.toString('base64') }));
    await expect(new VaultSecretStore(dir).unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    writeFileSync(file, '{"format":"something else"}');
    await expect(new VaultSecretStore(dir).unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('damaged') });
  });

  it('persists sets and deletes across instances, also when they run concurrently', async () => {
    const dir = tempDir();
    const vault = new VaultSecretStore(dir);
    await vault.unlock(PASSPHRASE);
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((value) => vault.set(`value-${value}`)));
    expect(new Set(ids).size).toBe(4);
    await vault.delete(ids[1] ?? '');
    await vault.delete('never-existed');

    const reopened = new VaultSecretStore(dir);
    await reopened.unlock(PASSPHRASE);
    expect(await reopened.get(ids[0] ?? '')).toBe('value-a');
    expect(await reopened.get(ids[3] ?? '')).toBe('value-d');
    await expect(reopened.get(ids[1] ?? '')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('asks for a real passphrase when creating a vault', async () => {
    const vault = new VaultSecretStore(tempDir());
    await expect(vault.unlock('')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(vault.unlock('short')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('at least 8') });
    expect(await vault.status()).toEqual({ backend: 'vault', state: 'absent' });
  });
});

/** Stands in for Electron's safeStorage: reversible, and visibly not plaintext. */
function fakeSafeStorage(available = { value: true }) {
  const calls = { decrypt: 0 };
  const cipher: PlatformCipher = {
    isAvailable: () => available.value,
    encrypt: (text) => Buffer.from(`sealed:${Buffer.from(text).reverse().toString('hex')}`),
    decrypt: (data) => {
      calls.decrypt++;
      const text = data.toString();
      if (!text.startsWith('sealed:')) throw new Error('not ours');
      return Buffer.from(text.slice(7), 'hex').reverse().toString();
    },
  };
  return { cipher, calls, available };
}

describe('EncryptedSecretStore', () => {
  it('stores values encrypted by the platform and decrypts each once', async () => {
    const dir = tempDir();
    const platform = fakeSafeStorage();
    const store = new EncryptedSecretStore(dir, platform.cipher);
    expect(await store.status()).toEqual({ backend: 'system', state: 'unlocked' });
    const id = await store.set(SECRET);
    const file = join(dir, SYSTEM_SECRETS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);

    const reopened = new EncryptedSecretStore(dir, platform.cipher);
    expect(await reopened.get(id)).toBe(SECRET);
    expect(await reopened.get(id)).toBe(SECRET);
    expect(platform.calls.decrypt).toBe(1);

    await reopened.delete(id);
    await expect(new EncryptedSecretStore(dir, platform.cipher).get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('says so when the platform cannot encrypt, and reports undecryptable values', async () => {
    const dir = tempDir();
    const platform = fakeSafeStorage({ value: false });
    const store = new EncryptedSecretStore(dir, platform.cipher);
    expect(await store.status()).toEqual({ backend: 'system', state: 'unavailable' });
    await expect(store.set(SECRET)).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    writeFileSync(join(dir, SYSTEM_SECRETS_FILE), JSON.stringify({ format: 'switchboard-secrets', version: 1, secrets: { k1: Buffer.from('garbage').toString('base64') } }));
    platform.available.value = true;
    await expect(new EncryptedSecretStore(dir, platform.cipher).get('k1')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('could not be decrypted') });
  });
});
