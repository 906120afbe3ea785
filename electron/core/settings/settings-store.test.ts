import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger';
import { SettingsStore } from './settings-store';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-settings-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('starts from defaults and persists updates for the next run', async () => {
    const dir = tempDir();
    const first = new SettingsStore(dir, createLogger());
    expect(await first.get()).toEqual({ language: 'system', theme: 'system', inspectIntervalSeconds: 0 });
    await first.update({ language: 'zh-CN' });
    const second = new SettingsStore(dir, createLogger());
    expect(await second.get()).toEqual({ language: 'zh-CN', theme: 'system', inspectIntervalSeconds: 0 });
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
  });

  it('falls back to defaults on a corrupt file and says so in the log', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{not json');
    const log = createLogger();
    expect(await new SettingsStore(dir, log).get()).toEqual({ language: 'system', theme: 'system', inspectIntervalSeconds: 0 });
    expect(log.entries().some((e) => e.level === 'warn' && e.message.includes('unreadable settings'))).toBe(true);
  });

  it('refuses an invalid value and leaves the file unchanged', async () => {
    const dir = tempDir();
    const store = new SettingsStore(dir, createLogger());
    await store.update({ theme: 'dark' });
    const before = readFileSync(join(dir, 'settings.json'), 'utf8');
    await expect(store.update({ theme: 'neon' as 'dark' })).rejects.toThrow();
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);
  });
});
