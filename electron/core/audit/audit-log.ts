import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { auditEntrySchema, type AuditEntry } from '../../../shared/contract/audit';

export type AuditInput = Omit<AuditEntry, 'id' | 'time' | 'actor'>;

/**
 * Who did what, when, on which hosts, with what result: one JSON line per entry,
 * appended and fsynced, never rewritten. A line torn by a crash is skipped on read.
 */
export class AuditLog {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly options: { now?: () => Date; actor?: string; onAppend?: (entry: AuditEntry) => void } = {},
  ) {
    this.file = join(dataDir, 'audit.jsonl');
  }

  async append(input: AuditInput): Promise<AuditEntry> {
    const entry = auditEntrySchema.parse({
      ...input,
      id: randomUUID(),
      time: (this.options.now?.() ?? new Date()).toISOString(),
      actor: this.options.actor ?? currentUser(),
    });
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const handle = await open(this.file, 'a+', 0o600);
    try {
      // After a torn write the file does not end in a newline: start a fresh line.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const prefix = size > 0 && last[0] !== 0x0a ? '\n' : '';
      await handle.appendFile(`${prefix}${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.options.onAppend?.(entry);
    return entry;
  }

  async list(options: { limit: number; cluster?: string }): Promise<AuditEntry[]> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = auditEntrySchema.safeParse(JSON.parse(line));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        // a torn last line after a crash
      }
    }
    return entries
      .filter((e) => options.cluster === undefined || e.cluster === options.cluster)
      .reverse()
      .slice(0, options.limit);
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
