import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { fingerprintOf, type HostKey } from './host-key';
import {
  formatKnownHostsLine,
  hostFieldMatches,
  parseKnownHosts,
  withoutHost,
  type KnownHostsEntry,
} from './known-hosts-format';

export interface ExpectedHostKey {
  keyType: string;
  fingerprint: string;
  /** `file:line` of the entry that holds it. */
  source: string;
}

export type HostKeyStatus =
  | { status: 'trusted'; source: string }
  /** No key of this type is known for the host; `knownTypes` lists the types that are. */
  | { status: 'unknown'; knownTypes: string[] }
  | { status: 'changed'; expected: ExpectedHostKey[] }
  | { status: 'revoked'; source: string };

export interface KnownHostsStoreOptions {
  /** The app's own known_hosts file (in its data directory): the only file written. */
  storePath: string;
  /** Files trusted read-only, typically `~/.ssh/known_hosts`. Missing files are fine. */
  trustedPaths?: string[];
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  entries: KnownHostsEntry[];
}

function keyMatches(entry: KnownHostsEntry, key: HostKey): boolean {
  return entry.keyType === key.type && Buffer.from(entry.keyBase64, 'base64').equals(key.blob);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Host keys the admin trusts. The app's store is authoritative for a host and key
 * type it has an entry for (so a replaced key overrides an old one in the user's
 * file); otherwise the user's files decide.
 */
export class KnownHostsStore {
  private readonly cache = new Map<string, CachedFile>();
  /** Writes are serialised so concurrent approvals never lose a line. */
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: KnownHostsStoreOptions) {}

  get storePath(): string {
    return this.options.storePath;
  }

  /** `extraTrusted`: more read-only files for this host only, consulted after the store. */
  async check(host: string, port: number, key: HostKey, extraTrusted: readonly string[] = []): Promise<HostKeyStatus> {
    const files = [this.options.storePath, ...extraTrusted, ...(this.options.trustedPaths ?? [])];
    const perFile = await Promise.all(
      files.map(async (path) => ({
        path,
        entries: (await this.load(path)).filter((entry) => hostFieldMatches(entry.hosts, host, port)),
      })),
    );
    for (const { path, entries } of perFile) {
      const revoked = entries.find((entry) => entry.revoked && keyMatches(entry, key));
      if (revoked) return { status: 'revoked', source: `${path}:${revoked.line}` };
    }
    for (const { path, entries } of perFile) {
      const sameType = entries.filter((entry) => !entry.revoked && entry.keyType === key.type);
      if (sameType.length === 0) continue;
      const match = sameType.find((entry) => keyMatches(entry, key));
      if (match) return { status: 'trusted', source: `${path}:${match.line}` };
      return {
        status: 'changed',
        expected: sameType.map((entry) => ({
          keyType: entry.keyType,
          fingerprint: fingerprintOf(Buffer.from(entry.keyBase64, 'base64')),
          source: `${path}:${entry.line}`,
        })),
      };
    }
    const knownTypes = new Set(perFile.flatMap(({ entries }) => entries.filter((e) => !e.revoked).map((e) => e.keyType)));
    return { status: 'unknown', knownTypes: [...knownTypes] };
  }

  /** Trusts this key for the host (no-op when already in the store). */
  add(host: string, port: number, key: HostKey): Promise<void> {
    return this.rewrite((entries, lines) => {
      const present = entries.some((entry) => !entry.revoked && hostFieldMatches(entry.hosts, host, port) && keyMatches(entry, key));
      return present ? lines : [...lines, formatKnownHostsLine(host, port, key)];
    });
  }

  /**
   * The admin's explicit decision after a changed-key refusal: the store's entries of
   * this key type for the host are dropped and the new key is trusted.
   */
  replace(host: string, port: number, key: HostKey): Promise<void> {
    return this.rewrite((entries, lines) => {
      const next = [...lines];
      for (const entry of entries) {
        if (entry.revoked || entry.keyType !== key.type || !hostFieldMatches(entry.hosts, host, port)) continue;
        const remaining = withoutHost(entry.hosts, host, port);
        const index = entry.line - 1;
        next[index] = remaining === undefined ? '' : `${remaining} ${entry.keyType} ${entry.keyBase64}`;
      }
      return [...next.filter((line, index) => line !== '' || lines[index] === ''), formatKnownHostsLine(host, port, key)];
    });
  }

  private rewrite(change: (entries: KnownHostsEntry[], lines: string[]) => string[]): Promise<void> {
    const run = async (): Promise<void> => {
      const path = this.options.storePath;
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        if (isMissing(error)) return '';
        throw error;
      });
      const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      const next = change(parseKnownHosts(text), lines);
      if (next === lines) return;
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, next.length === 0 ? '' : `${next.join('\n')}\n`, { mode: 0o644 });
      this.cache.delete(path);
    };
    const result = this.writeChain.then(run);
    this.writeChain = result.catch(() => {});
    return result;
  }

  private async load(path: string): Promise<KnownHostsEntry[]> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.entries;
    const entries = parseKnownHosts(await readFile(path, 'utf8'));
    this.cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, entries });
    return entries;
  }
}
