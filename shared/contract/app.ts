import { z } from 'zod';
import { defineCall, defineEvent } from './define';

export const languageSchema = z.enum(['system', 'en', 'zh-CN']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

export const settingsSchema = z.object({
  language: languageSchema,
  theme: themeSchema,
  /** How often every cluster is re-inspected; 0 = only on demand (the default: no traffic nobody asked for). */
  inspectIntervalSeconds: z.number().int().min(0).max(3600),
});
export type Settings = z.infer<typeof settingsSchema>;

export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** Where the renderer is hosted: the Electron window or browser mode. */
  host: z.enum(['electron', 'browser']),
  platform: z.string(),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

const none = z.object({}).strict();

export const appCalls = {
  info: defineCall('Version and runtime of the main process', none, appInfoSchema),
};

export const settingsCalls = {
  get: defineCall('Read the persisted settings', none, settingsSchema),
  update: defineCall(
    'Change some settings and persist them',
    settingsSchema.partial().strict(),
    settingsSchema,
  ),
};

export const appEvents = {
  settingsChanged: defineEvent('Settings were changed (by any window)', settingsSchema),
};
