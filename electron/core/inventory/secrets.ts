import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scrypt, type ScryptOptions } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';

/**
 * Where passwords, passphrases and tokens live: never in the inventory file, which
 * holds only their ids. Values are kept decrypted in memory only.
 */
export type SecretBackend = 'vault' | 'system';
export type SecretStoreState = 'absent' | 'locked' | 'unlocked' | 'unavailable';
export interface SecretStoreStatus {
  backend: SecretBackend;
  state: SecretStoreState;
}

export interface SecretStore {
  status(): Promise<SecretStoreStatus>;
  get(id: string): Promise<string>;
  /** Stores a value and returns its new id. */
  set(value: string): Promise<string>;
  delete(id: string): Promise<void>;
}

/** A secret store that needs a passphrase before use (the vault). */
export interface LockableSecretStore extends SecretStore {
  unlock(passphrase: string): Promise<void>;
  lock(): void;
}

export function isLockable(store: SecretStore): store is LockableSecretStore {
  return typeof (store as Partial<LockableSecretStore>).unlock === 'function';
}

const secretId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

function missing(id: string): AppError {
  return new AppError('NOT_FOUND', `No secret with id "${secretId.safeParse(id).success ? id : '(invalid id)'}"`);
}

async function writePrivateFile(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, text, { mode: 0o600 });
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Runs writes one at a time so two `set` calls never write over each other. */
class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

// ---------------------------------------------------------------------------
// The passphrase vault (CLI and browser mode)

export const VAULT_FILE = 'secrets.vault';

const KDF_DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MIN_NEW_PASSPHRASE = 8;

const vaultFileSchema = z.object({
  format: z.literal('switchboard-vault'),
  version: z.literal(1),
  kdf: z.object({
    name: z.literal('scrypt'),
    salt: z.base64(),
    // Bounded so a tampered file cannot make unlocking take all memory.
    N: z.number().int().min(2 ** 10).max(2 ** 20),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
  }),
  cipher: z.object({ name: z.literal('aes-256-gcm'), iv: z.base64(), tag: z.base64() }),
  data: z.base64(),
});
type VaultFile = z.infer<typeof vaultFileSchema>;
type VaultHeader = Pick<VaultFile, 'format' | 'version' | 'kdf'>;

const vaultContentSchema = z.object({ secrets: z.record(secretId, z.string()) });

function deriveKey(passphrase: string, kdf: VaultHeader['kdf']): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** The header is authenticated too: changing the KDF parameters or salt breaks the tag. */
function headerAad(header: VaultHeader): Buffer {
  return Buffer.from(JSON.stringify({ format: header.format, version: header.version, kdf: header.kdf }));
}

/**
 * Secrets in one file in the data directory, encrypted with AES-256-GCM under a key
 * derived from the admin's passphrase by scrypt (random salt, parameters stored in the
 * file). The file is written atomically with mode 0600. A wrong passphrase fails the
 * GCM tag check, so nothing is decrypted and nothing is cached.
 */
export class VaultSecretStore implements LockableSecretStore {
  readonly file: string;
  private unlocked: { header: VaultHeader; key: Buffer; secrets: Map<string, string> } | undefined;
  private readonly writes = new WriteQueue();

  constructor(dataDir: string) {
    this.file = join(dataDir, VAULT_FILE);
  }

  async status(): Promise<SecretStoreStatus> {
    if (this.unlocked) return { backend: 'vault', state: 'unlocked' };
    const present = (await readIfPresent(this.file)) !== undefined;
    return { backend: 'vault', state: present ? 'locked' : 'absent' };
  }

  /** Opens the vault; when there is no vault file yet, creates one protected by this passphrase. */
  async unlock(passphrase: string): Promise<void> {
    if (passphrase.length === 0) throw new AppError('INVALID_INPUT', 'A vault passphrase cannot be empty');
    const text = await readIfPresent(this.file);
    if (text === undefined) return this.create(passphrase);
    const file = parseVaultFile(text, this.file);
    const key = await deriveKey(passphrase, file.kdf);
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64'));
      decipher.setAAD(headerAad(file));
      decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      key.fill(0);
      throw new AppError('UNAUTHORIZED', 'Wrong vault passphrase');
    }
    const content = vaultContentSchema.safeParse(JSON.parse(plain));
    if (!content.success) throw new AppError('INTERNAL', `The secret vault ${this.file} has unexpected content`);
    this.lock();
    this.unlocked = { header: { format: file.format, version: file.version, kdf: file.kdf }, key, secrets: new Map(Object.entries(content.data.secrets)) };
  }

  /** Forgets the key and every decrypted value. */
  lock(): void {
    this.unlocked?.key.fill(0);
    this.unlocked = undefined;
  }

  async get(id: string): Promise<string> {
    const value = this.open().secrets.get(id);
    if (value === undefined) throw missing(id);
    return value;
  }

  set(value: string): Promise<string> {
    return this.writes.run(async () => {
      const vault = this.open();
      const id = randomUUID();
      vault.secrets.set(id, value);
      try {
        await this.persist();
      } catch (error) {
        vault.secrets.delete(id);
        throw error;
      }
      return id;
    });
  }

  delete(id: string): Promise<void> {
    return this.writes.run(async () => {
      const vault = this.open();
      const previous = vault.secrets.get(id);
      if (previous === undefined) return;
      vault.secrets.delete(id);
      try {
        await this.persist();
      } catch (error) {
        vault.secrets.set(id, previous);
        throw error;
      }
    });
  }

  private async create(passphrase: string): Promise<void> {
    if (passphrase.length < MIN_NEW_PASSPHRASE) {
      throw new AppError('INVALID_INPUT', `A new vault passphrase needs at least ${MIN_NEW_PASSPHRASE} characters`);
    }
    const header: VaultHeader = {
      format: 'switchboard-vault',
      version: 1,
      kdf: { name: 'scrypt', salt: randomBytes(16).toString('base64'), ...KDF_DEFAULTS },
    };
    this.lock();
    this.unlocked = { header, key: await deriveKey(passphrase, header.kdf), secrets: new Map() };
    await this.writes.run(() => this.persist());
  }

  private open(): NonNullable<VaultSecretStore['unlocked']> {
    if (!this.unlocked) throw new AppError('UNAUTHORIZED', 'The secret vault is locked: unlock it with its passphrase');
    return this.unlocked;
  }

  private async persist(): Promise<void> {
    const { header, key, secrets } = this.open();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(headerAad(header));
    const plain = Buffer.from(JSON.stringify({ secrets: Object.fromEntries(secrets) }), 'utf8');
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    plain.fill(0);
    const file: VaultFile = {
      ...header,
      cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
      data: data.toString('base64'),
    };
    await writePrivateFile(this.file, `${JSON.stringify(file, null, 2)}\n`);
  }
}

function parseVaultFile(text: string, path: string): VaultFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AppError('INTERNAL', `The secret vault ${path} is damaged (not JSON)`);
  }
  const parsed = vaultFileSchema.safeParse(data);
  if (!parsed.success) throw new AppError('INTERNAL', `The secret vault ${path} is damaged or from a newer version`);
  return parsed.data;
}

// ---------------------------------------------------------------------------
// The platform's secret store (Electron safeStorage, plugged in by electron/platform)

/** What Electron's safeStorage offers; injected so this module never imports electron. */
export interface PlatformCipher {
  isAvailable(): boolean;
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

export const SYSTEM_SECRETS_FILE = 'secrets.json';

const systemFileSchema = z.object({
  format: z.literal('switchboard-secrets'),
  version: z.literal(1),
  secrets: z.record(secretId, z.base64()),
});

/**
 * Each value encrypted by the platform (Keychain, DPAPI, libsecret via safeStorage)
 * and stored base64 in one JSON file (mode 0600, atomic writes). Decrypted values are
 * cached in memory only.
 */
export class EncryptedSecretStore implements SecretStore {
  readonly file: string;
  private encrypted: Map<string, string> | undefined;
  private readonly decrypted = new Map<string, string>();
  private readonly writes = new WriteQueue();

  constructor(
    dataDir: string,
    private readonly cipher: PlatformCipher,
  ) {
    this.file = join(dataDir, SYSTEM_SECRETS_FILE);
  }

  async status(): Promise<SecretStoreStatus> {
    return { backend: 'system', state: this.cipher.isAvailable() ? 'unlocked' : 'unavailable' };
  }

  async get(id: string): Promise<string> {
    const cached = this.decrypted.get(id);
    if (cached !== undefined) return cached;
    this.requireAvailable();
    const blob = (await this.load()).get(id);
    if (blob === undefined) throw missing(id);
    let value: string;
    try {
      value = this.cipher.decrypt(Buffer.from(blob, 'base64'));
    } catch {
      throw new AppError('UNAVAILABLE', 'A stored secret could not be decrypted by the system secret store (was the OS keyring reset?)');
    }
    this.decrypted.set(id, value);
    return value;
  }

  set(value: string): Promise<string> {
    return this.writes.run(async () => {
      this.requireAvailable();
      const id = randomUUID();
      const next = new Map(await this.load());
      next.set(id, this.cipher.encrypt(value).toString('base64'));
      await this.persist(next);
      this.decrypted.set(id, value);
      return id;
    });
  }

  delete(id: string): Promise<void> {
    return this.writes.run(async () => {
      const current = await this.load();
      if (!current.has(id)) return;
      const next = new Map(current);
      next.delete(id);
      await this.persist(next);
      this.decrypted.delete(id);
    });
  }

  private requireAvailable(): void {
    if (!this.cipher.isAvailable()) throw new AppError('UNAVAILABLE', 'The system secret store is not available');
  }

  private async load(): Promise<Map<string, string>> {
    if (this.encrypted) return this.encrypted;
    const text = await readIfPresent(this.file);
    if (text === undefined) return (this.encrypted = new Map());
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new AppError('INTERNAL', `The secrets file ${this.file} is damaged (not JSON)`);
    }
    const parsed = systemFileSchema.safeParse(data);
    if (!parsed.success) throw new AppError('INTERNAL', `The secrets file ${this.file} is damaged or from a newer version`);
    return (this.encrypted = new Map(Object.entries(parsed.data.secrets)));
  }

  private async persist(next: Map<string, string>): Promise<void> {
    const file = { format: 'switchboard-secrets', version: 1, secrets: Object.fromEntries(next) };
    await writePrivateFile(this.file, `${JSON.stringify(file, null, 2)}\n`);
    this.encrypted = next;
  }
}
