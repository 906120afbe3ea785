/** Standard streams of simulated commands: where stdout/stderr go, where stdin comes from. */

export interface OutputSink {
  write(chunk: string | Buffer): void;
}

export const nullSink: OutputSink = { write: () => undefined };

/** Collects output (pipes, `$(...)`-like captures, tests). */
export class BufferSink implements OutputSink {
  readonly #chunks: Buffer[] = [];

  write(chunk: string | Buffer): void {
    this.#chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }

  buffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  text(): string {
    return this.buffer().toString('utf8');
  }
}

/**
 * A command's stdin: bytes pushed as they arrive (from an SSH channel or a pipe)
 * until `end()`. Readers take whole lines or everything up to EOF, like `read` and
 * `cat` do; a read waits for data and fails when the signal aborts.
 */
export class InputSource {
  #buffer = Buffer.alloc(0);
  #ended = false;
  #waiters: Array<() => void> = [];

  static from(data: string | Buffer): InputSource {
    const input = new InputSource();
    input.push(data);
    input.end();
    return input;
  }

  static empty(): InputSource {
    return InputSource.from('');
  }

  push(chunk: string | Buffer): void {
    if (this.#ended) return;
    this.#buffer = Buffer.concat([this.#buffer, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)]);
    this.#wake();
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Everything up to EOF. */
  async readAll(signal?: AbortSignal): Promise<Buffer> {
    while (!this.#ended) await this.#wait(signal);
    const all = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return all;
  }

  /**
   * One line without its newline (with it, when `keepNewline`: a last line that has none
   * then shows it), or null at EOF with nothing left.
   */
  async readLine(signal?: AbortSignal, keepNewline = false): Promise<string | null> {
    for (;;) {
      const newline = this.#buffer.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.#buffer.subarray(0, keepNewline ? newline + 1 : newline).toString('utf8');
        this.#buffer = this.#buffer.subarray(newline + 1);
        return line;
      }
      if (this.#ended) {
        if (this.#buffer.length === 0) return null;
        const rest = this.#buffer.toString('utf8');
        this.#buffer = Buffer.alloc(0);
        return rest;
      }
      await this.#wait(signal);
    }
  }

  #wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const onAbort = (): void => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
