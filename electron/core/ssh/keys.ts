import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import type { AskPassphrase } from './prompts';

export type KeyLoadResult = { ok: true; key: ParsedKey } | { ok: false; reason: string };

const MAX_PASSPHRASE_ATTEMPTS = 3;

function needsPassphrase(error: Error): boolean {
  return /no passphrase given/i.test(error.message);
}

function badPassphrase(error: Error): boolean {
  return /bad passphrase|integrity check failed/i.test(error.message);
}

/**
 * Loads private key files (OpenSSH, PEM, PPK) for publickey auth. Encrypted keys ask
 * for their passphrase through the injected callback; the decrypted key is kept in
 * memory only, so one prompt serves every connection, and concurrent connections
 * share one prompt.
 */
export class PrivateKeyLoader {
  private readonly loaded = new Map<string, Promise<KeyLoadResult>>();

  constructor(
    private readonly askPassphrase?: AskPassphrase,
    private readonly read: (path: string) => Promise<Buffer> = (path) => readFile(path),
  ) {}

  load(path: string): Promise<KeyLoadResult> {
    let result = this.loaded.get(path);
    if (!result) {
      result = this.parse(path);
      this.loaded.set(path, result);
      // Failures are not remembered: the next connection may ask again.
      void result.then((outcome) => {
        if (!outcome.ok) this.loaded.delete(path);
      });
    }
    return result;
  }

  /** Drops decrypted keys from memory (all, or one file). */
  forget(path?: string): void {
    if (path === undefined) this.loaded.clear();
    else this.loaded.delete(path);
  }

  private async parse(path: string): Promise<KeyLoadResult> {
    let data: Buffer;
    try {
      data = await this.read(path);
    } catch (error) {
      return { ok: false, reason: `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    let parsed = ssh2.utils.parseKey(data);
    for (let attempt = 0; parsed instanceof Error && attempt < MAX_PASSPHRASE_ATTEMPTS; attempt++) {
      if (!needsPassphrase(parsed) && !badPassphrase(parsed)) break;
      if (!this.askPassphrase) return { ok: false, reason: 'encrypted, no way to ask for its passphrase' };
      const passphrase = await this.askPassphrase(path);
      if (passphrase === null) return { ok: false, reason: 'passphrase not given' };
      parsed = ssh2.utils.parseKey(data, passphrase);
    }
    if (parsed instanceof Error) {
      return { ok: false, reason: badPassphrase(parsed) ? 'wrong passphrase' : 'not a supported private key' };
    }
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
    if (!key.isPrivateKey()) return { ok: false, reason: 'not a private key' };
    return { ok: true, key };
  }
}
