/** A bounded, in-memory debug log of SSH connection lifecycle, readable from the app. */

export type SshLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SshLogEntry {
  /** Increases by one per entry; lets a reader ask for what came after what it has. */
  seq: number;
  time: string;
  level: SshLogLevel;
  /** Short machine-friendly name: connect, host-key, auth, ready, closed, reconnect, ... */
  event: string;
  /** `user@host:port` (with the jump chain) when the entry is about one connection. */
  target?: string;
  message: string;
}

export interface SshLogReadOptions {
  /** Only entries with a greater seq. */
  afterSeq?: number;
  /** At most this many of the newest matching entries. */
  limit?: number;
}

const REDACTED = '[redacted]';
/** Redacting shorter values would blank ordinary text (a one-letter password would hit every word). */
const MIN_SECRET_LENGTH = 3;

const privateKeyBlock = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const secretAssignment = /\b(password|passphrase|passwd|secret|token)(\s*[=:]\s*)\S+/gi;

export class SshDebugLog {
  private readonly entries: SshLogEntry[] = [];
  private nextSeq = 1;
  private readonly secrets = new Set<string>();
  private readonly listeners = new Set<(entry: SshLogEntry) => void>();

  constructor(
    private readonly capacity = 2000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Registers a value that must never appear in the log (passwords, passphrases,
   * prompt answers). Every message is scrubbed of all registered values.
   */
  registerSecret(secret: string): void {
    if (secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out
      .replace(privateKeyBlock, REDACTED)
      .replace(secretAssignment, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`);
  }

  add(level: SshLogLevel, event: string, message: string, target?: string): void {
    const entry: SshLogEntry = {
      seq: this.nextSeq++,
      time: this.now().toISOString(),
      level,
      event,
      message: this.redact(message),
    };
    if (target !== undefined) entry.target = target;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const listener of this.listeners) listener(entry);
  }

  read(options: SshLogReadOptions = {}): SshLogEntry[] {
    const after = options.afterSeq ?? 0;
    const matching = this.entries.filter((entry) => entry.seq > after);
    return options.limit !== undefined ? matching.slice(-options.limit) : matching;
  }

  /** Called for each new entry; returns the unsubscribe function. */
  subscribe(listener: (entry: SshLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
