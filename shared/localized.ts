import { z } from 'zod';

/**
 * Text produced outside the renderer (findings, license checks, CLI output) in both UI
 * languages, so the CLI prints English and the window shows the admin's language.
 */
export const localizedTextSchema = z.object({ en: z.string(), 'zh-CN': z.string() });
export type LocalizedText = z.infer<typeof localizedTextSchema>;
export type Language = keyof LocalizedText;
