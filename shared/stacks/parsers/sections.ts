import { AppError } from '../../contract/errors';
import { shellCommand, shellQuote } from '../../shell/quote';

/**
 * One script per host, many probes: each probe's output is framed by marker lines carrying a
 * per-round random nonce, so one SSH exec brings back every fact and a probe's own output can
 * never forge a frame.
 *
 *   @@SB-BEGIN <nonce> <name>
 *   …the command's stdout and stderr, byte for byte…
 *   @@SB-END <nonce> <name> <exit status>
 */

export interface ScriptSection {
  /** `[a-z0-9_.-]+`, unique within the script. */
  name: string;
  /** A complete shell command line, already quoted by the caller with `shellQuote`/`shellCommand`. */
  command: string;
  /**
   * Put it under the script's time limit: for commands that talk to something that can hang
   * (a daemon, an RPC, a network file system). Costs two processes, so cheap reads go without.
   */
  timeLimited?: boolean;
  /**
   * Run in the script's own shell, without a subshell: only for commands made of shell
   * builtins that cannot exit or change directory (a `read` loop over a /proc file), so a
   * plain host's probes cost no process at all.
   */
  inline?: boolean;
}

const NONCE = /^[0-9a-f]{16,128}$/i;
const SECTION_NAME = /^[a-z0-9_.-]{1,64}$/;

function validate(nonce: string, sections: readonly ScriptSection[]): void {
  if (!NONCE.test(nonce)) throw new AppError('INVALID_INPUT', 'The section nonce must be 16 to 128 hexadecimal characters');
  const seen = new Set<string>();
  for (const section of sections) {
    if (!SECTION_NAME.test(section.name)) {
      throw new AppError('INVALID_INPUT', 'A section name must be 1 to 64 characters of a-z, 0-9, "_", "." or "-"', { name: section.name });
    }
    if (seen.has(section.name)) throw new AppError('INVALID_INPUT', 'Section names must be unique', { name: section.name });
    seen.add(section.name);
    // The command is not echoed into the error: it may carry credentials (curl headers).
    if (section.command.trim() === '' || section.command.includes('\0')) {
      throw new AppError('INVALID_INPUT', 'A section needs a command without NUL bytes', { name: section.name });
    }
  }
}

/** A section stopped by its time limit exits with this status (coreutils `timeout`). */
export const SECTION_TIMED_OUT = 124;

/**
 * The POSIX sh script that runs every section in turn. Each command runs in a subshell (an
 * `exit` or `cd` stays inside it) with stdin from /dev/null (so a command cannot swallow the
 * rest of a script fed through `sh -s`) and stderr merged into stdout (so "command not found"
 * and friends reach the parsers); it sits on lines of its own, so a trailing comment or
 * here-document cannot swallow the closing parenthesis. With `timeoutSeconds`, sections marked
 * `timeLimited` run in their own `sh -c` under coreutils `timeout` where the host has it
 * (exit status 124 when the limit hit), so one hanging probe costs its own section, not the
 * host's whole picture. LC_ALL=C keeps dates and messages in the format the parsers read.
 */
export function buildSectionedScript(nonce: string, sections: readonly ScriptSection[], options: { timeoutSeconds?: number } = {}): string {
  validate(nonce, sections);
  const lines = ['LC_ALL=C', 'export LC_ALL'];
  const limit = options.timeoutSeconds;
  if (limit !== undefined && sections.some((s) => s.timeLimited)) {
    if (!Number.isInteger(limit) || limit < 1) throw new AppError('INVALID_INPUT', 'A section time limit is a whole number of seconds');
    lines.push('if command -v timeout >/dev/null 2>&1; then sb_run() { timeout -k 2 "$@"; }; else sb_run() { shift; "$@"; }; fi');
  }
  for (const { name, command, timeLimited, inline } of sections) {
    const run =
      limit !== undefined && timeLimited
        ? [`sb_run ${limit} ${shellCommand(['sh', '-c', command])} </dev/null 2>&1`]
        : inline
          ? ['{', command, '} </dev/null 2>&1']
          : ['(', command, ') </dev/null 2>&1'];
    lines.push(
      `printf '%s\\n' ${shellQuote(`@@SB-BEGIN ${nonce} ${name}`)}`,
      ...run,
      // The newline before END ends the command's last line even when it printed none;
      // splitSections removes exactly that one newline again.
      `printf '\\n%s %s\\n' ${shellQuote(`@@SB-END ${nonce} ${name}`)} "$?"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export type SectionState = 'complete' | 'truncated' | 'missing';

export interface SectionOutput {
  name: string;
  /**
   * complete: both markers arrived; truncated: the output stopped inside the section (host
   * gone, timeout); missing: the section never started.
   */
  state: SectionState;
  /** Only for complete sections. */
  exitCode?: number;
  /** The command's output exactly as printed (for a truncated section, what arrived). */
  output: string;
}

export interface SplitResult {
  /** The expected sections in their order, then any other framed section found. */
  sections: SectionOutput[];
  /** Text outside any frame (login banners, shell start-up noise). */
  outside: string;
}

/** Cuts the output of a script from `buildSectionedScript` back into its sections. */
export function splitSections(text: string, nonce: string, expected: readonly string[] = []): SplitResult {
  if (!NONCE.test(nonce)) throw new AppError('INVALID_INPUT', 'The section nonce must be 16 to 128 hexadecimal characters');
  const marker = /^@@SB-(BEGIN|END) ([0-9a-fA-F]+) ([a-z0-9_.-]+)(?: (\d+))?\r?$/gm;
  const found = new Map<string, SectionOutput>();
  let open: { name: string; start: number } | undefined;
  let outside = '';
  let outsideFrom = 0;

  const close = (section: SectionOutput) => {
    if (!found.has(section.name)) found.set(section.name, section);
  };

  for (const match of text.matchAll(marker)) {
    const [line, kind, markerNonce, name, code] = match;
    if (markerNonce!.toLowerCase() !== nonce.toLowerCase()) continue;
    const at = match.index;
    const afterLine = at + line.length + (text[at + line.length] === '\n' ? 1 : 0);
    if (kind === 'BEGIN') {
      if (open !== undefined) close({ name: open.name, state: 'truncated', output: text.slice(open.start, at) });
      else outside += text.slice(outsideFrom, at);
      open = { name: name!, start: afterLine };
    } else if (open !== undefined && open.name === name && code !== undefined) {
      // Drop the newline the script put before END (and its CR, if a terminal added one).
      let end = at;
      if (text[end - 1] === '\n') end -= 1;
      if (text[end - 1] === '\r') end -= 1;
      close({ name: name!, state: 'complete', exitCode: Number(code), output: text.slice(open.start, Math.max(open.start, end)) });
      open = undefined;
      outsideFrom = afterLine;
    }
  }
  if (open !== undefined) close({ name: open.name, state: 'truncated', output: text.slice(open.start) });
  else outside += text.slice(outsideFrom);

  const sections: SectionOutput[] = expected.map((name) => found.get(name) ?? { name, state: 'missing', output: '' });
  for (const [name, section] of found) if (!expected.includes(name)) sections.push(section);
  return { sections, outside };
}
