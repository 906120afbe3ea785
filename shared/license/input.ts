import { readUtf8, utf8ByteLength } from './encoding';
import { rejection, type LicenseRejection } from './rejection';

/** Largest license file or pasted text the wizard reads (1 MiB); real licenses are a few KB. */
export const LICENSE_MAX_BYTES = 1024 * 1024;
/** How much of a file the binary check looks at when the caller reads only a sample. */
export const LICENSE_SAMPLE_BYTES = 8192;
/** Share of unprintable bytes above which content counts as binary (license text is ASCII). */
const BINARY_SHARE = 0.1;

export type LicenseInputCheck = { ok: true } | { ok: false; rejection: LicenseRejection };

const MiB = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);

function tooLarge(bytes: number): LicenseRejection {
  return rejection(
    'too-large',
    `The license is ${MiB(bytes)} MB; a license file is at most 1 MB (real ones are a few KB).`,
    `许可证大小为 ${MiB(bytes)} MB；许可证文件最大 1 MB（真实的许可证只有几 KB）。`,
  );
}

const EMPTY = rejection('empty', 'The license is empty.', '许可证为空。');

const BINARY_REASONS = {
  nul: { en: 'it contains a NUL byte', zh: '包含 NUL 字节' },
  unprintable: { en: 'more than 1 byte in 10 is not printable text', zh: '超过十分之一的字节不是可打印文本' },
};

const binary = (reason: keyof typeof BINARY_REASONS): LicenseRejection =>
  rejection(
    'binary',
    `This is binary content, not license text: ${BINARY_REASONS[reason].en}.`,
    `这是二进制内容，不是许可证文本：${BINARY_REASONS[reason].zh}。`,
  );

const isTextControl = (code: number): boolean => code === 9 || code === 10 || code === 12 || code === 13;
const isWhitespaceByte = (byte: number): boolean => byte === 32 || isTextControl(byte);

/**
 * Checks a license file before it is read as text: refuses empty, over 1 MB and binary
 * content. Pass the whole file, or its size and a leading sample (at least
 * LICENSE_SAMPLE_BYTES, or the whole file if smaller) so a huge file need not be read.
 */
export function checkLicenseFileBytes(file: Uint8Array | { size: number; sample: Uint8Array }): LicenseInputCheck {
  const size = file instanceof Uint8Array ? file.length : file.size;
  const sample = file instanceof Uint8Array ? file.subarray(0, LICENSE_SAMPLE_BYTES) : file.sample;
  if (size > LICENSE_MAX_BYTES) return { ok: false, rejection: tooLarge(size) };
  const wholeFileSampled = sample.length >= size;
  if (size === 0 || (wholeFileSampled && sample.every(isWhitespaceByte))) return { ok: false, rejection: EMPTY };
  if (sample.includes(0)) return { ok: false, rejection: binary('nul') };
  if (unprintableByteShare(sample, wholeFileSampled) > BINARY_SHARE) {
    return { ok: false, rejection: binary('unprintable') };
  }
  return { ok: true };
}

/** Control bytes other than tab/newline/form-feed/return, and bytes that are not valid UTF-8. */
function unprintableByteShare(sample: Uint8Array, wholeFile: boolean): number {
  let unprintable = 0;
  let index = 0;
  while (index < sample.length) {
    const byte = sample[index] ?? 0;
    if (byte < 0x80) {
      if ((byte < 32 && !isTextControl(byte)) || byte === 0x7f) unprintable += 1;
      index += 1;
      continue;
    }
    const read = readUtf8(sample, index);
    if (read !== undefined) {
      index += read.length;
    } else {
      // A sample may end inside a valid multi-byte character: that is not binary.
      if (!wholeFile && sample.length - index < 4) break;
      unprintable += 1;
      index += 1;
    }
  }
  return sample.length === 0 ? 0 : unprintable / sample.length;
}

/** The same refusals for pasted (or already decoded) text. */
export function checkLicenseText(text: string): LicenseInputCheck {
  const bytes = utf8ByteLength(text);
  if (bytes > LICENSE_MAX_BYTES) return { ok: false, rejection: tooLarge(bytes) };
  if (text.trim() === '') return { ok: false, rejection: EMPTY };
  if (text.includes('\u0000')) return { ok: false, rejection: binary('nul') };
  let unprintable = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    // U+FFFD is what a decoder leaves where bytes were not text.
    if ((code < 32 && !isTextControl(code)) || code === 0x7f || code === 0xfffd) unprintable += 1;
  }
  if (unprintable / text.length > BINARY_SHARE) return { ok: false, rejection: binary('unprintable') };
  return { ok: true };
}
