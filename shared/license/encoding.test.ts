import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Url, decodeUtf8, encodeUtf8, toHex, utf8ByteLength } from './encoding';

/** Deterministic bytes, so a failure can be reproduced. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state >> 16;
  });
}

describe('base64url', () => {
  it('decodes what Node encodes, at every length modulo 3', () => {
    for (let length = 0; length < 70; length += 1) {
      const bytes = pseudoRandomBytes(length, length + 1);
      expect(decodeBase64Url(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
    }
  });

  it('refuses characters outside the url-safe alphabet, padding and a lone trailing digit', () => {
    expect(decodeBase64Url('ab+c')).toBeUndefined();
    expect(decodeBase64Url('ab/c')).toBeUndefined();
    expect(decodeBase64Url('abc=')).toBeUndefined();
    expect(decodeBase64Url('ab c')).toBeUndefined();
    expect(decodeBase64Url('abcde')).toBeUndefined();
    expect(decodeBase64Url('é')).toBeUndefined();
  });
});

describe('base64', () => {
  it('decodes padded standard base64', () => {
    for (let length = 1; length < 40; length += 1) {
      const bytes = pseudoRandomBytes(length, 99 + length);
      expect(decodeBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
    }
  });

  it('refuses a length that is not a whole number of quads', () => {
    expect(decodeBase64('QUJD')).toEqual(Uint8Array.from([65, 66, 67]));
    expect(decodeBase64('QUJ')).toBeUndefined();
    expect(decodeBase64('QU-_')).toBeUndefined();
  });
});

describe('UTF-8', () => {
  const samples = ['', 'plain ASCII', '许可证 — offline', 'emoji 🚀 and 𝄞', '\u0000\u007f\u0080\u07ff\u0800\uffff'];

  it('round-trips text the way Node does', () => {
    for (const text of samples) {
      const bytes = encodeUtf8(text);
      expect(Buffer.from(bytes).equals(Buffer.from(text, 'utf8'))).toBe(true);
      expect(decodeUtf8(bytes)).toBe(text);
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });

  it('encodes a lone surrogate as U+FFFD like TextEncoder', () => {
    expect(encodeUtf8('a\ud800b')).toEqual(new TextEncoder().encode('a\ud800b'));
    expect(utf8ByteLength('a\ud800b')).toBe(5);
  });

  it('refuses overlong forms, surrogates, stray continuation bytes and cut sequences', () => {
    expect(decodeUtf8(Uint8Array.from([0xc0, 0x80]))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0xe0, 0x80, 0x80]))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0x80]))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBeUndefined();
    expect(decodeUtf8(encodeUtf8('许').subarray(0, 2))).toBeUndefined();
  });

  it('decodes a large text without overflowing the call stack', () => {
    const text = '许可'.repeat(200_000);
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
  });
});

describe('toHex', () => {
  it('writes two lowercase digits per byte', () => {
    expect(toHex(Uint8Array.from([0, 15, 16, 255]))).toBe('000f10ff');
  });
});
