/**
 * What every probe parser returns. A parser either understood the output (`ok`) or says why it
 * did not (`unknown`) and shows the start of what it saw. It never turns output it does not
 * understand into a negative fact: "unknown" is not "down".
 */
export type Parsed<T> = { status: 'ok'; value: T } | { status: 'unknown'; reason: string; excerpt: string };

export function ok<T>(value: T): Parsed<T> {
  return { status: 'ok', value };
}

export function unknown(reason: string, raw: string): { status: 'unknown'; reason: string; excerpt: string } {
  return { status: 'unknown', reason, excerpt: excerptOf(raw) };
}

/** Applies `next` to a successful value; passes an unknown through untouched. */
export function andThen<T, U>(parsed: Parsed<T>, next: (value: T) => Parsed<U>): Parsed<U> {
  return parsed.status === 'ok' ? next(parsed.value) : parsed;
}

const EXCERPT_LIMIT = 400;

// Values that must never reach evidence: environment assignments and JSON fields whose name says
// secret. Probe output (docker inspect, unit files, settings) can carry them.
const SECRET_NAME = '[A-Za-z0-9_.-]*(?:PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|API_KEY|PRIVATE_KEY|LICENSE)[A-Za-z0-9_.-]*';
const secretAssignment = new RegExp(`(${SECRET_NAME})=("[^"]*"|'[^']*'|[^\\s"',]*)`, 'gi');
const secretJsonField = new RegExp(`("${SECRET_NAME}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\s]+)`, 'gi');

/** Hides secret-looking values; everything else stays as it was. */
export function redactSecrets(text: string): string {
  return text.replace(secretAssignment, '$1=<redacted>').replace(secretJsonField, '$1"<redacted>"');
}

/** The first lines of raw output, trimmed, shortened and with secret-looking values hidden. */
export function excerptOf(raw: string, limit = EXCERPT_LIMIT): string {
  const trimmed = redactSecrets(raw.trim());
  if (trimmed.length <= limit) return trimmed;
  return `${trimmed.slice(0, limit)}… (${trimmed.length - limit} more characters)`;
}
