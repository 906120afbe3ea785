import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { settingsSchema, type Settings } from '../../../shared/contract';
import type { Logger } from '../log/logger';

export const defaultSettings: Settings = { language: 'system', theme: 'system', inspectIntervalSeconds: 0 };

/** Settings persisted as JSON in the data directory; written atomically so a crash never truncates them. */
export class SettingsStore {
  private readonly file: string;
  private current: Settings | undefined;

  constructor(dataDir: string, private readonly log: Logger) {
    this.file = join(dataDir, 'settings.json');
  }

  async get(): Promise<Settings> {
    if (!this.current) this.current = await this.load();
    return this.current;
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    const next = settingsSchema.parse({ ...(await this.get()), ...patch });
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    this.current = next;
    return next;
  }

  private async load(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return { ...defaultSettings };
    }
    try {
      const parsed = settingsSchema.partial().safeParse(JSON.parse(text));
      if (parsed.success) return { ...defaultSettings, ...parsed.data };
    } catch {
      // fall through: a hand-edited file that is not JSON
    }
    this.log.warn('settings', `Ignoring unreadable settings file ${this.file}; using defaults`);
    return { ...defaultSettings };
  }
}
