/**
 * Output that says "the probe could not run here", whatever the probe was. Every parser checks
 * these first, so a missing tool or a host without systemd reads as unknown with a clear
 * reason instead of as a service that is down.
 */

interface KnownFailure {
  pattern: RegExp;
  reason: string;
}

const knownFailures: readonly KnownFailure[] = [
  { pattern: /System has not been booted with systemd/, reason: 'System has not been booted with systemd' },
  { pattern: /Failed to connect to bus/, reason: 'Failed to connect to bus' },
  { pattern: /Failed to get D-Bus connection/, reason: 'Failed to connect to bus' },
  { pattern: /Cannot connect to the Docker daemon/, reason: 'Cannot connect to the Docker daemon' },
  { pattern: /permission denied while trying to connect to the Docker daemon/i, reason: 'No permission to use the Docker daemon' },
  { pattern: /^sudo: /m, reason: 'sudo refused to run the command' },
  { pattern: /\bcommand terminated with exit code \d+/, reason: 'The wrapped command (kubectl exec) failed' },
];

// bash: "bash: line 1: vmq-admin: command not found" (or without "line 1: " before 5.1);
// dash: "sh: 1: vmq-admin: not found"; zsh: "zsh:1: command not found: vmq-admin".
const commandNotFoundForms: readonly RegExp[] = [
  /^(?:\/\S*\/)?(?:ba|da|k|a)?sh: (?:line \d+: |\d+: )?(\S+?): (?:command )?not found$/m,
  /^(?:\/\S*\/)?zsh:\d+: command not found: (\S+)$/m,
];

/**
 * The reason a probe's output is not the tool's answer, or undefined when it may be.
 * `exitCode` is the shell's status for the probe command, when known.
 */
export function detectProbeFailure(text: string, exitCode?: number): string | undefined {
  for (const form of commandNotFoundForms) {
    const notFound = form.exec(text);
    if (notFound !== null && (exitCode === undefined || exitCode === 127)) return `command not found: ${notFound[1]}`;
  }
  if (exitCode === 127) return 'command not found (exit 127)';
  if (exitCode === 126) return 'command not executable (exit 126)';
  for (const failure of knownFailures) {
    if (failure.pattern.test(text)) return failure.reason;
  }
  return undefined;
}

/** True when the text is an HTML page (a proxy's error page, a login page) rather than data. */
export function looksLikeHtml(text: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(text);
}
