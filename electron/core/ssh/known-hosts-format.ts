import { createHmac, timingSafeEqual } from 'node:crypto';
import { DEFAULT_SSH_PORT } from './target';
import { publicKeyBase64, type HostKey } from './host-key';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostsEntry {
  /** 1-based line number, for messages. */
  line: number;
  /** `@revoked` lines refuse a key; `@cert-authority` lines are not host keys and are dropped by the parser. */
  revoked: boolean;
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  keyBase64: string;
}

/**
 * Parses known_hosts text. Comments, blank lines, `@cert-authority` lines (we do not
 * verify host certificates) and malformed lines are skipped, never fatal.
 */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker !== '@revoked') return;
      revoked = true;
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return;
    entries.push({ line: index + 1, revoked, hosts, keyType, keyBase64 });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === DEFAULT_SSH_PORT ? name : `[${name}]:${port}`;
}

export function formatKnownHostsLine(host: string, port: number, key: HostKey): string {
  return `${knownHostsName(host, port)} ${key.type} ${publicKeyBase64(key)}`;
}

const compiledGlobs = new Map<string, RegExp>();

/** Whether `name` matches an OpenSSH host pattern (`*` and `?` wildcards, case-insensitive). */
function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === name;
  let regex = compiledGlobs.get(pattern);
  if (!regex) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, 'i');
    compiledGlobs.set(pattern, regex);
  }
  return regex.test(name);
}

function hashedFieldMatches(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Whether a host field names this host and port, as OpenSSH decides it: a hashed
 * `|1|salt|hash` entry, or a comma list of glob patterns where a matching `!pattern`
 * excludes the host whatever else matches.
 */
export function hostFieldMatches(field: string, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (field.startsWith('|')) return hashedFieldMatches(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (glob === '' || !globMatches(glob, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/**
 * Removes this host from a host field: returns the remaining field, or undefined
 * when nothing of it should remain (a hashed entry for the host, or its only pattern).
 */
export function withoutHost(field: string, host: string, port: number): string | undefined {
  if (field.startsWith('|')) return hostFieldMatches(field, host, port) ? undefined : field;
  const name = knownHostsName(host, port);
  const rest = field.split(',').filter((pattern) => pattern.toLowerCase() !== name);
  return rest.filter((pattern) => !pattern.startsWith('!')).length > 0 ? rest.join(',') : undefined;
}
