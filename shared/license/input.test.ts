import { describe, expect, it } from 'vitest';
import { encodeUtf8 } from './encoding';
import { checkLicenseFileBytes, checkLicenseText, LICENSE_MAX_BYTES, LICENSE_SAMPLE_BYTES } from './input';

const ascii = (text: string): Uint8Array => encodeUtf8(text);

function refusal(result: ReturnType<typeof checkLicenseFileBytes>): string | undefined {
  return result.ok ? undefined : result.rejection.code;
}

describe('checkLicenseFileBytes', () => {
  it('accepts license-like text, including UTF-8 beyond ASCII', () => {
    expect(checkLicenseFileBytes(ascii('RCV3_eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n'))).toEqual({ ok: true });
    expect(checkLicenseFileBytes(ascii('许可证文本 license\r\n'))).toEqual({ ok: true });
  });

  it('refuses an empty or whitespace-only file', () => {
    expect(refusal(checkLicenseFileBytes(new Uint8Array(0)))).toBe('empty');
    expect(refusal(checkLicenseFileBytes(ascii(' \n\t\r\n')))).toBe('empty');
    expect(refusal(checkLicenseFileBytes({ size: 0, sample: new Uint8Array(0) }))).toBe('empty');
  });

  it('refuses a file over 1 MB by its size alone, and accepts exactly 1 MB', () => {
    const result = checkLicenseFileBytes({ size: 2 * 1024 * 1024, sample: ascii('RCV3_') });
    expect(refusal(result)).toBe('too-large');
    expect(result.ok ? '' : result.rejection.message.en).toContain('2.0 MB');
    expect(checkLicenseFileBytes(new Uint8Array(LICENSE_MAX_BYTES).fill(0x41))).toEqual({ ok: true });
    expect(refusal(checkLicenseFileBytes(new Uint8Array(LICENSE_MAX_BYTES + 1).fill(0x41)))).toBe('too-large');
  });

  it('refuses binary content: a NUL byte, or mostly unprintable bytes', () => {
    expect(refusal(checkLicenseFileBytes(Uint8Array.from([0x52, 0x43, 0x00, 0x56])))).toBe('binary');
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    expect(refusal(checkLicenseFileBytes(png))).toBe('binary');
    // No NUL at all, but random high and control bytes.
    let state = 7;
    const noise = Uint8Array.from({ length: 4096 }, () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return (state >> 16) % 255 + 1;
    });
    expect(refusal(checkLicenseFileBytes(noise))).toBe('binary');
  });

  it('does not count a multi-byte character cut by the sample end as binary', () => {
    const text = ascii('许'.repeat(LICENSE_SAMPLE_BYTES));
    const sample = text.subarray(0, LICENSE_SAMPLE_BYTES + 1); // 8193 is not a multiple of 3
    expect(checkLicenseFileBytes({ size: text.length, sample })).toEqual({ ok: true });
    expect(checkLicenseFileBytes(text)).toEqual({ ok: true });
  });

  it('gives a one-line reason in both languages', () => {
    const result = checkLicenseFileBytes(Uint8Array.from([0]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.message.en).not.toContain('\n');
    expect(result.rejection.message['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('checkLicenseText', () => {
  it('applies the same refusals to pasted text', () => {
    expect(checkLicenseText('RCV3_abc')).toEqual({ ok: true });
    expect(checkLicenseText('  \n ').ok).toBe(false);
    expect(checkLicenseText('ab\u0000cd').ok).toBe(false);
    expect(checkLicenseText('\ufffd\ufffd\ufffdabc').ok).toBe(false);
    expect(checkLicenseText('x'.repeat(LICENSE_MAX_BYTES + 1)).ok).toBe(false);
    // Counted in UTF-8 bytes, not UTF-16 units: 400k three-byte characters are 1.2 MB.
    expect(checkLicenseText('许'.repeat(400_000)).ok).toBe(false);
  });
});
