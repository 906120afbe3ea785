import { checkLicenseFileBytes, checkLicenseText, LICENSE_SAMPLE_BYTES } from '../../../shared/license/input';
import type { LicenseRejection } from '../../../shared/license/rejection';

/** License text the wizard may send to the main process, or why it refused it (never sent). */
export type LicenseInput = { ok: true; text: string } | { ok: false; rejection: LicenseRejection };

/** What the wizard needs of a File: its size and slices of it (a Blob in tests). */
export interface LicenseFileLike {
  size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * Reads a dropped or picked file as license text. Size and binary content are judged on
 * the size and a leading sample first, so a 2 GB file is refused without being read; only
 * then is the whole file read and decoded as UTF-8, and the text checked again (a binary
 * tail past the sample shows up as replacement characters).
 */
export async function readLicenseFile(file: LicenseFileLike): Promise<LicenseInput> {
  const sample = new Uint8Array(await file.slice(0, LICENSE_SAMPLE_BYTES).arrayBuffer());
  const bytes = checkLicenseFileBytes({ size: file.size, sample });
  if (!bytes.ok) return bytes;
  const whole = sample.length >= file.size ? sample : new Uint8Array(await file.slice(0, file.size).arrayBuffer());
  return checkedText(new TextDecoder('utf-8').decode(whole));
}

/** Pasted text, with the same refusals as a file. */
export function checkedText(text: string): LicenseInput {
  const check = checkLicenseText(text);
  return check.ok ? { ok: true, text } : check;
}
