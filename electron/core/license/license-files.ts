import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import type { LicenseBackup } from '../../../shared/contract/license';
import { licenseFingerprint } from '../../../shared/license/parse';
import { utcStamp } from '../../../shared/rollback/planner';

/**
 * Licenses on the admin's machine, under `DATA_DIR/licenses/<cluster>/`: the staged copy of a
 * license being applied (the journal names it, so a resumed operation applies the same text)
 * and the backups of what each cluster stored before. Files are written atomically and
 * readable by the admin only: a license is not a password, but it is the customer's.
 */

const backupSchema = z.object({
  cluster: z.string(),
  createdAt: z.string(),
  /** `Enterprise_License` as it was: empty when the cluster had none. */
  value: z.string(),
  status: z.string().optional(),
});
export type BackupFile = z.infer<typeof backupSchema>;

/** A host's license file as it was before an operation replaced it. */
const fileBackupSchema = z.object({
  cluster: z.string(),
  host: z.string(),
  remotePath: z.string(),
  createdAt: z.string(),
  exists: z.boolean(),
  contentBase64: z.string().optional(),
  sha256: z.string().optional(),
  mode: z.number().int().optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
});
export type FileBackup = z.infer<typeof fileBackupSchema>;

const FILE_MODE = 0o600;
const BACKUP_ID = /^backup-\d{8}T\d{6}Z-[0-9a-f]{8}\.json$/;
const FILE_SET = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

export class LicenseFiles {
  constructor(private readonly dataDir: string) {}

  dirOf(cluster: string): string {
    // Cluster names are validated by the inventory (letters, digits, ".", "_", "-").
    if (!/^[A-Za-z0-9._-]+$/.test(cluster) || cluster.startsWith('.')) throw new AppError('INVALID_INPUT', `"${cluster}" is not a cluster name`);
    return join(this.dataDir, 'licenses', cluster);
  }

  /** Writes the license text to be applied; returns its path. */
  async stage(cluster: string, text: string, now: Date): Promise<string> {
    const dir = this.dirOf(cluster);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `staged-${utcStamp(now)}-${licenseFingerprint(text).slice(0, 12)}.lic`);
    await writeFileAtomic(path, text, { mode: FILE_MODE });
    return path;
  }

  /** A fresh backup path for an operation about to start (the backup step writes it). */
  backupPathFor(cluster: string, now: Date): string {
    return join(this.dirOf(cluster), `backup-${utcStamp(now)}-${randomBytes(4).toString('hex')}.json`);
  }

  async writeBackup(path: string, backup: BackupFile): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(backupSchema.parse(backup), null, 2)}\n`, { mode: FILE_MODE });
  }

  /** A fresh id for the backups of one operation's license files (one file per host). */
  newFileBackupSet(now: Date): string {
    return `${utcStamp(now)}-${randomBytes(4).toString('hex')}`;
  }

  fileBackupPath(cluster: string, set: string, host: string): string {
    if (!FILE_SET.test(set)) throw new AppError('INVALID_INPUT', `"${set}" is not a license file backup id`);
    if (!/^[A-Za-z0-9._-]+$/.test(host) || host.startsWith('.')) throw new AppError('INVALID_INPUT', `"${host}" is not a host name`);
    return join(this.dirOf(cluster), `file-${set}-${host}.json`);
  }

  /** Each host's backup in one set, by host name. */
  async fileBackupSet(cluster: string, set: string): Promise<Map<string, { path: string; backup: FileBackup }>> {
    const prefix = `file-${set}-`;
    if (!FILE_SET.test(set)) throw new AppError('INVALID_INPUT', `"${set}" is not a license file backup id`);
    const names = (await readdir(this.dirOf(cluster)).catch(() => [] as string[])).filter((name) => name.startsWith(prefix) && name.endsWith('.json'));
    const found = new Map<string, { path: string; backup: FileBackup }>();
    for (const name of names) {
      const path = join(this.dirOf(cluster), name);
      const backup = await this.readFileBackup(path);
      found.set(backup.host, { path, backup });
    }
    return found;
  }

  /** The license file backup sets of a cluster, newest first. */
  async listFileBackups(cluster: string): Promise<LicenseBackup[]> {
    const names = await readdir(this.dirOf(cluster)).catch(() => [] as string[]);
    const sets = [...new Set(names.map((name) => /^file-(\d{8}T\d{6}Z-[0-9a-f]{8})-/.exec(name)?.[1]).filter((set): set is string => set !== undefined))].sort().reverse();
    const backups: LicenseBackup[] = [];
    for (const set of sets) {
      const hosts = [...(await this.fileBackupSet(cluster, set).catch(() => new Map<string, { path: string; backup: FileBackup }>())).values()];
      const first = hosts[0]?.backup;
      if (!first) continue;
      const content = first.contentBase64 === undefined ? undefined : Buffer.from(first.contentBase64, 'base64').toString('utf8');
      backups.push({ id: set, cluster, createdAt: first.createdAt, empty: hosts.every((h) => !h.backup.exists), ...(content !== undefined ? { fingerprint: licenseFingerprint(content) } : {}) });
    }
    return backups;
  }

  async writeFileBackup(path: string, backup: FileBackup): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(fileBackupSchema.parse(backup), null, 2)}\n`, { mode: FILE_MODE });
  }

  readFileBackup(path: string): Promise<FileBackup> {
    return readJson(path, fileBackupSchema, 'license file backup');
  }

  async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  async readText(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  /** SHA-256 of the newest staged license with this fingerprint (the exact bytes sent to hosts). */
  async stagedSha(cluster: string, fingerprint: string): Promise<string | undefined> {
    const dir = this.dirOf(cluster);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.startsWith('staged-') && name.endsWith(`-${fingerprint.slice(0, 12)}.lic`)).sort();
    const newest = names.at(-1);
    if (newest === undefined) return undefined;
    const bytes = await readFile(join(dir, newest));
    return licenseFingerprint(bytes.toString('utf8')) === fingerprint ? createHash('sha256').update(bytes).digest('hex') : undefined;
  }

  async readBytes(path: string): Promise<Buffer> {
    return readFile(path);
  }

  readBackup(path: string): Promise<BackupFile> {
    return readJson(path, backupSchema, 'license backup');
  }

  /** The path of backup `id` of `cluster`; refuses anything that is not a backup file name. */
  backupPath(cluster: string, id: string): string {
    if (!BACKUP_ID.test(id)) throw new AppError('INVALID_INPUT', `"${id}" is not a license backup id`);
    return join(this.dirOf(cluster), id);
  }

  async listBackups(cluster: string): Promise<LicenseBackup[]> {
    const dir = this.dirOf(cluster);
    const names = await readdir(dir).catch(() => [] as string[]);
    const backups: LicenseBackup[] = [];
    for (const id of names.filter((name) => BACKUP_ID.test(name)).sort().reverse()) {
      const backup = await this.readBackup(join(dir, id)).catch(() => undefined);
      if (!backup) continue;
      const empty = backup.value.trim() === '';
      backups.push({
        id,
        cluster,
        createdAt: backup.createdAt,
        empty,
        ...(empty ? {} : { fingerprint: licenseFingerprint(backup.value) }),
        ...(backup.status !== undefined ? { status: backup.status } : {}),
      });
    }
    return backups;
  }
}

async function readJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new AppError('NOT_FOUND', `The ${what} ${path} cannot be read: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `${path} is not a Switchboard ${what}.`);
  return parsed.data;
}
