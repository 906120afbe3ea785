import type { LocalizedText } from '../localized';

export type { LocalizedText };

export const licenseRejectionCodes = [
  'empty',
  'binary',
  'too-large',
  'truncated',
  'malformed',
  'unsupported-alg',
  'missing-prefix',
  'unrecognised',
] as const;
export type LicenseRejectionCode = (typeof licenseRejectionCodes)[number];

/**
 * Why a license text or file was refused: one line, naming sizes, parts and field paths
 * but never echoing the license text itself.
 */
export interface LicenseRejection {
  code: LicenseRejectionCode;
  message: LocalizedText;
}

export function rejection(code: LicenseRejectionCode, en: string, zh: string): LicenseRejection {
  return { code, message: { en, 'zh-CN': zh } };
}
