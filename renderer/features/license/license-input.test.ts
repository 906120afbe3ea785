import { describe, expect, it } from 'vitest';
import { LICENSE_MAX_BYTES, LICENSE_SAMPLE_BYTES } from '../../../shared/license/input';
import { checkedText, readLicenseFile, type LicenseFileLike } from './license-input';

const licenseLike = `RCV3_${'eyJhbGciOiJSUzI1NiJ9'}.${'a'.repeat(400)}.${'b'.repeat(400)}\n`;

/** A file that records which byte ranges were read, so a test can tell a refusal read only the sample. */
function recordingFile(bytes: Uint8Array, size = bytes.length): LicenseFileLike & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    size,
    reads,
    slice(start = 0, end = size) {
      reads.push([start, end]);
      return { arrayBuffer: async () => bytes.slice(start, Math.min(end, bytes.length)).buffer };
    },
  };
}

describe('reading a license file', () => {
  it('reads and decodes a text file as UTF-8', async () => {
    const result = await readLicenseFile(new Blob([licenseLike]));
    expect(result).toEqual({ ok: true, text: licenseLike });
  });

  it('refuses an empty file, and a file of blanks', async () => {
    expect(await readLicenseFile(new Blob([]))).toMatchObject({ ok: false, rejection: { code: 'empty' } });
    expect(await readLicenseFile(new Blob([' \n\t\n']))).toMatchObject({ ok: false, rejection: { code: 'empty' } });
  });

  it('refuses binary content with a one-line reason in both languages', async () => {
    const result = await readLicenseFile(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])]));
    expect(result).toMatchObject({ ok: false, rejection: { code: 'binary' } });
    if (result.ok) return;
    expect(result.rejection.message.en).not.toContain('\n');
    expect(result.rejection.message['zh-CN']).toMatch(/二进制/);
  });

  it('refuses a file over 1 MB from its size and leading sample, without reading the rest', async () => {
    const size = 2 * 1024 * 1024;
    const file = recordingFile(new TextEncoder().encode('A'.repeat(LICENSE_SAMPLE_BYTES)), size);
    expect(await readLicenseFile(file)).toMatchObject({ ok: false, rejection: { code: 'too-large' } });
    expect(file.reads).toEqual([[0, LICENSE_SAMPLE_BYTES]]);
  });

  it('accepts a file of exactly 1 MB of text', async () => {
    const result = await readLicenseFile(new Blob(['A'.repeat(LICENSE_MAX_BYTES)]));
    expect(result.ok).toBe(true);
  });

  it('catches binary content past the sample once the whole file is decoded', async () => {
    const text = new TextEncoder().encode('A'.repeat(LICENSE_SAMPLE_BYTES));
    const tail = new Uint8Array(4000).fill(0xff);
    const result = await readLicenseFile(new Blob([text, tail]));
    expect(result).toMatchObject({ ok: false, rejection: { code: 'binary' } });
  });
});

describe('pasted text', () => {
  it('is accepted as it is', () => {
    expect(checkedText(licenseLike)).toEqual({ ok: true, text: licenseLike });
  });

  it('is refused when blank or binary', () => {
    expect(checkedText('   ')).toMatchObject({ ok: false, rejection: { code: 'empty' } });
    expect(checkedText('RCV3_\u0000abc')).toMatchObject({ ok: false, rejection: { code: 'binary' } });
  });
});
