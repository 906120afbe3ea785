/** Small text helpers shared by the parsers. */

/** Lines without their terminators; CRLF and LF both end a line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A non-negative integer written in decimal, or undefined. */
export function parseCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}

/** JSON.parse that answers undefined instead of throwing. */
export function tryParseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes UTF-8 bytes (journald hands non-text fields over as byte arrays). Invalid sequences
 * become U+FFFD, as TextDecoder would do; shared/ cannot rely on TextDecoder being declared.
 */
export function decodeUtf8(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  const byte = (at: number): number => bytes[at] ?? -1;
  const isContinuation = (at: number): boolean => (byte(at) & 0xc0) === 0x80 && byte(at) >= 0;
  while (i < bytes.length) {
    const b0 = byte(i);
    let codePoint = -1;
    let length = 1;
    if (b0 < 0x80) {
      codePoint = b0;
    } else if (b0 >= 0xc2 && b0 <= 0xdf && isContinuation(i + 1)) {
      codePoint = ((b0 & 0x1f) << 6) | (byte(i + 1) & 0x3f);
      length = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef && isContinuation(i + 1) && isContinuation(i + 2)) {
      codePoint = ((b0 & 0x0f) << 12) | ((byte(i + 1) & 0x3f) << 6) | (byte(i + 2) & 0x3f);
      length = 3;
      if (codePoint < 0x800 || (codePoint >= 0xd800 && codePoint <= 0xdfff)) codePoint = -1;
    } else if (b0 >= 0xf0 && b0 <= 0xf4 && isContinuation(i + 1) && isContinuation(i + 2) && isContinuation(i + 3)) {
      codePoint = ((b0 & 0x07) << 18) | ((byte(i + 1) & 0x3f) << 12) | ((byte(i + 2) & 0x3f) << 6) | (byte(i + 3) & 0x3f);
      length = 4;
      if (codePoint < 0x10000 || codePoint > 0x10ffff) codePoint = -1;
    }
    if (codePoint < 0) {
      out += '\ufffd';
      i += 1;
    } else {
      out += String.fromCodePoint(codePoint);
      i += length;
    }
  }
  return out;
}
