/**
 * Byte and text conversions for shared/, whose types have neither Buffer, atob nor
 * TextDecoder. Decoders are strict and return `undefined` on bad input, because a
 * license that does not decode cleanly must be refused, never half-read.
 */

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function digitTable(char62: string, char63: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  [...BASE64_DIGITS, char62, char63].forEach((char, value) => {
    table[char.charCodeAt(0)] = value;
  });
  return table;
}

const BASE64URL_TABLE = digitTable('-', '_');
const BASE64_TABLE = digitTable('+', '/');

function decodeDigits(digits: string, table: Int8Array): Uint8Array | undefined {
  // A lone trailing digit carries only 6 bits: no byte can end there.
  if (digits.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((digits.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let index = 0; index < digits.length; index += 1) {
    const code = digits.charCodeAt(index);
    const value = code < 128 ? (table[code] ?? -1) : -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out] = (buffer >> bits) & 0xff;
      out += 1;
    }
  }
  return bytes;
}

/** Base64url without padding, as in a JWT (RFC 7515). */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  return decodeDigits(text, BASE64URL_TABLE);
}

/** Standard base64 with optional `=` padding; the length must be a whole number of quads. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return decodeDigits(text.slice(0, text.length - padding), BASE64_TABLE);
}

/** Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const codePoints: number[] = [];
  let index = 0;
  while (index < bytes.length) {
    const read = readUtf8(bytes, index);
    if (read === undefined) return undefined;
    codePoints.push(read.codePoint);
    index += read.length;
  }
  let text = '';
  // Chunked so a 1 MB license does not overflow the argument list.
  for (let start = 0; start < codePoints.length; start += 8192) {
    text += String.fromCodePoint(...codePoints.slice(start, start + 8192));
  }
  return text;
}

/**
 * The code point whose UTF-8 sequence starts at `index`, or `undefined` when the bytes
 * there are not valid UTF-8 (including a sequence cut off by the end of `bytes`).
 */
export function readUtf8(bytes: Uint8Array, index: number): { codePoint: number; length: number } | undefined {
  const first = bytes[index];
  if (first === undefined) return undefined;
  if (first < 0x80) return { codePoint: first, length: 1 };
  let length: number;
  let min: number;
  if (first >= 0xc2 && first <= 0xdf) [length, min] = [2, 0x80];
  else if (first >= 0xe0 && first <= 0xef) [length, min] = [3, 0x800];
  else if (first >= 0xf0 && first <= 0xf4) [length, min] = [4, 0x10000];
  else return undefined;
  let codePoint = first & (0xff >> (length + 1));
  for (let next = 1; next < length; next += 1) {
    const byte = bytes[index + next];
    if (byte === undefined || (byte & 0xc0) !== 0x80) return undefined;
    codePoint = (codePoint << 6) | (byte & 0x3f);
  }
  if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined;
  return { codePoint, length };
}

/** UTF-8 bytes of a string; a lone surrogate becomes U+FFFD, as TextEncoder does. */
export function encodeUtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    let codePoint = char.codePointAt(0) ?? 0xfffd;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
    if (codePoint < 0x80) bytes.push(codePoint);
    else if (codePoint < 0x800) bytes.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f));
    else if (codePoint < 0x10000) {
      bytes.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
    } else {
      bytes.push(
        0xf0 | (codePoint >> 18),
        0x80 | ((codePoint >> 12) & 0x3f),
        0x80 | ((codePoint >> 6) & 0x3f),
        0x80 | (codePoint & 0x3f),
      );
    }
  }
  return Uint8Array.from(bytes);
}

/** How many bytes `text` takes in UTF-8, without building them. */
export function utf8ByteLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const low = text.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        length += 4;
        index += 1;
      } else length += 3;
    } else length += 3;
  }
  return length;
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
