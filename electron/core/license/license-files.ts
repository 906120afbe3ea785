import { randomBytes } from 'node:crypto';
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

const FILE_MODE = 0o600;
const BACKUP_ID = /^backup-\d{8}T\d{6}Z-[0-9a-f]{8}\.json$/;

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

  async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  async readText(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  async readBackup(path: string): Promise<BackupFile> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new AppError('NOT_FOUND', `The license backup ${path} cannot be read: ${(error as Error).message}`);
    }
    const parsed = backupSchema.safeParse(raw);
    if (!parsed.success) throw new AppError('INVALID_INPUT', `The license backup ${path} is not a Switchboard license backup.`);
    return parsed.data;
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
