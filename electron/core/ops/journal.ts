import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/contract/errors';
import { journalRecordSchema, opIdSchema, type CreatedRecord, type JournalRecord } from '../../../shared/ops/records';

const SUFFIX = '.jsonl';

export interface JournalRead {
  records: JournalRecord[];
  /** Lines that were not a valid record: a line torn by a crash, or damage. */
  skippedLines: number;
}

/**
 * The operations' journals: `<dir>/<opId>.jsonl`, one JSON record per line. Appends are
 * serialized per operation and fsynced before the returned promise resolves, so a record
 * the engine has awaited survives a crash or a power cut. Nothing is ever rewritten.
 */
export class OperationJournal {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {}

  file(opId: string): string {
    if (!opIdSchema.safeParse(opId).success) throw new AppError('INVALID_INPUT', 'Not an operation id');
    return join(this.dir, `${opId}${SUFFIX}`);
  }

  /** Starts a new journal with its `created` record; refuses to overwrite one. */
  async create(record: CreatedRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.file(record.opId), 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The new file's directory entry must survive a crash too.
    await syncDir(this.dir);
  }

  /** Appends one record and fsyncs it. Records of one operation are written in call order. */
  append(opId: string, record: JournalRecord): Promise<void> {
    const file = this.file(opId);
    const previous = this.queues.get(opId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => appendLine(file, JSON.stringify(record)));
    this.queues.set(opId, next);
    const cleanup = (): void => {
      if (this.queues.get(opId) === next) this.queues.delete(opId);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  /** Every valid record in order; a torn or damaged line is skipped and counted. */
  async read(opId: string): Promise<JournalRead> {
    const text = await readFile(this.file(opId), 'utf8');
    const records: JournalRecord[] = [];
    let skippedLines = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const parsed = parseLine(line);
      if (parsed) records.push(parsed);
      else skippedLines += 1;
    }
    return { records, skippedLines };
  }

  /** Whether the journal records the end of its operation; `missing` when there is no such journal. */
  async finished(opId: string): Promise<'missing' | 'open' | 'finished'> {
    let read: JournalRead;
    try {
      read = await this.read(opId);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    return read.records.some((r) => r.type === 'finished') ? 'finished' : 'open';
  }

  /** The operation ids with a journal here. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith(SUFFIX))
      .map((name) => name.slice(0, -SUFFIX.length))
      .filter((opId) => opIdSchema.safeParse(opId).success);
  }

  /**
   * Deletes a journal. Only for an operation that never began: its start was refused by a
   * lock after the created record was written, so nothing ran and there is nothing to keep.
   */
  async discard(opId: string): Promise<void> {
    await unlink(this.file(opId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

function parseLine(line: string): JournalRecord | undefined {
  try {
    const parsed = journalRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function appendLine(file: string, line: string): Promise<void> {
  const handle = await open(file, 'a+', 0o600);
  try {
    // After a torn write the file does not end in a newline: start a fresh line so the
    // new record is not glued to the torn one.
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(`${prefix}${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so a file created (or linked, or renamed) in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open or fsync a directory; there the file's own fsync is all there is.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}
