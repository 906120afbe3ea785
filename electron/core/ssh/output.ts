/** Collects one output stream up to a byte cap; beyond it, output is counted and dropped. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;
  totalBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onChunk?: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(part);
    this.kept += part.length;
    this.onChunk?.(part);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const PID_MARKER = Buffer.from('__switchboard_pid__:');
/** Give up looking for the marker after this much output (e.g. a chatty shell rc file). */
const MARKER_SEARCH_LIMIT = 64 * 1024;

/**
 * The exec wrapper prints `__switchboard_pid__:<pid>` before the command starts;
 * this finds it in stdout, reports the pid, and passes everything else through.
 */
export class PidMarkerFilter {
  private head: Buffer | undefined = Buffer.alloc(0);

  constructor(
    private readonly onPid: (pid: number) => void,
    private readonly pass: (chunk: Buffer) => void,
  ) {}

  static readonly marker = PID_MARKER.toString();

  push(chunk: Buffer): void {
    if (this.head === undefined) {
      this.pass(chunk);
      return;
    }
    const head = Buffer.concat([this.head, chunk]);
    const at = head.indexOf(PID_MARKER);
    const lineEnd = at >= 0 ? head.indexOf(0x0a, at) : -1;
    if (lineEnd >= 0) {
      this.head = undefined;
      const pid = Number(head.subarray(at + PID_MARKER.length, lineEnd).toString('latin1'));
      if (Number.isInteger(pid) && pid > 1) this.onPid(pid);
      if (at > 0) this.pass(head.subarray(0, at));
      if (lineEnd + 1 < head.length) this.pass(head.subarray(lineEnd + 1));
      return;
    }
    if (head.length > MARKER_SEARCH_LIMIT) {
      this.head = undefined;
      this.pass(head);
      return;
    }
    this.head = head;
  }

  /** The stream ended: whatever was held back is output. */
  flush(): void {
    if (this.head && this.head.length > 0) this.pass(this.head);
    this.head = undefined;
  }
}
