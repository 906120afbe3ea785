import { createHash } from 'node:crypto';

/**
 * The lab's stand-in for a compiled program: an ELF-looking blob whose embedded
 * manifest says what a run of this build does (its version, whether it comes up or
 * crash-loops, what it logs). Because the manifest is part of the bytes, a good and a
 * bad build have different SHA-256 sums, an SFTP upload carries the behaviour with
 * it, and a truncated upload no longer executes (Exec format error).
 */
export interface LabBinarySpec {
  /** Program name, e.g. `voms-server`. */
  program: string;
  version: string;
  /** What health endpoints report while this build runs (simulators read it). */
  health?: 'ok' | 'error';
  /** Lab milliseconds from exec until the program is up. */
  startupMs?: number;
  /** Logged right after exec. */
  startLines?: string[];
  /** Logged once up, e.g. `Server is ready`. */
  readyLines?: string[];
  /** A bad build: exits on its own after `afterMs` with `status`, logging `lines` first. */
  crash?: { afterMs: number; status: number; lines?: string[] };
  /** Printed for `PROGRAM --version`. */
  versionOutput?: string;
  /** Total size of the blob (padding makes it look like a binary); default 16 KiB. */
  sizeBytes?: number;
  /** Anything a system simulator wants to carry with the build. */
  extra?: Record<string, unknown>;
}

const elfHeader = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const marker = '\n#lab-binary ';

export function labBinary(spec: LabBinarySpec): Buffer {
  const manifest = Buffer.from(`${marker}${JSON.stringify(spec)}\n`);
  const head = Buffer.concat([elfHeader, manifest]);
  const size = Math.max(spec.sizeBytes ?? 16 * 1024, head.length);
  // Deterministic filler: the same spec always gives the same bytes (and checksum).
  const filler = Buffer.alloc(size - head.length);
  let block = createHash('sha256').update(manifest).digest();
  for (let offset = 0; offset < filler.length; offset += block.length) {
    block.copy(filler, offset);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat([head, filler]);
}

/** The manifest of a lab binary, or undefined for anything else (not executable in the lab). */
export function readLabBinary(content: Buffer): LabBinarySpec | undefined {
  if (content.length < elfHeader.length || !content.subarray(0, 4).equals(elfHeader.subarray(0, 4))) return undefined;
  const start = content.indexOf(marker, 0, 'utf8');
  if (start < 0 || start > 64) return undefined;
  const end = content.indexOf('\n', start + marker.length);
  if (end < 0) return undefined;
  try {
    const spec = JSON.parse(content.subarray(start + marker.length, end).toString('utf8')) as LabBinarySpec;
    const declared = spec.sizeBytes ?? 16 * 1024;
    // A truncated upload is not a runnable program any more.
    if (content.length < declared) return undefined;
    return typeof spec.program === 'string' && typeof spec.version === 'string' ? spec : undefined;
  } catch {
    return undefined;
  }
}
