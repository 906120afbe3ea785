import { detectProbeFailure, looksLikeHtml } from './failure';
import { ok, unknown, type Parsed } from './result';
import { isRecord, tryParseJson } from './text';

export interface HttpResponse {
  status: number;
  body: string;
}

// curl exit codes that mean "no HTTP answer at all" (man curl, EXIT CODES).
const curlFailures: Record<number, string> = {
  6: 'could not resolve the host',
  7: 'could not connect (connection refused or no route)',
  28: 'timed out',
  35: 'TLS handshake failed',
  52: 'the server closed the connection without answering',
  56: 'the connection was reset while receiving',
  60: 'the server certificate is not trusted',
};

/**
 * Output of `curl -s -w '\n%{http_code}' URL`: the body, a newline, then the three-digit status.
 * Status `000` means curl got no HTTP answer; the exit code says why.
 */
export function parseCurlResponse(text: string, exitCode?: number): Parsed<HttpResponse> {
  const failure = detectProbeFailure(text, exitCode);
  if (failure !== undefined) return unknown(failure, text);
  const match = /(?:^|\n)(\d{3})\s*$/.exec(text);
  if (match === null) return unknown('no status code at the end (truncated?)', text);
  const body = text.slice(0, match.index);
  const status = Number(match[1]);
  if (status === 0) {
    const why = exitCode === undefined ? undefined : curlFailures[exitCode];
    return unknown(`no HTTP response: ${why ?? (exitCode === undefined ? 'curl got no answer' : `curl exit ${exitCode}`)}`, text);
  }
  if (status < 100 || status > 599) return unknown(`not an HTTP status: ${match[1]}`, text);
  return ok({ status, body });
}

/** The body as a JSON object, or the reason it is not one. */
export function jsonObjectBody(body: string): Record<string, unknown> | string {
  if (looksLikeHtml(body)) return 'HTML instead of JSON';
  const trimmed = body.trim();
  if (trimmed === '') return 'empty body';
  const parsed = tryParseJson(trimmed);
  if (parsed === undefined) return trimmed.startsWith('{') ? 'JSON cut short (truncated?)' : 'not JSON';
  if (!isRecord(parsed.value)) return 'JSON that is not an object';
  return parsed.value;
}

export type HealthWord = 'ok' | 'degraded' | 'down';

const okWords = ['ok', 'okay', 'up', 'healthy', 'pass', 'passing', 'passed', 'green', 'serving', 'ready', 'alive', 'success', 'available'];
const degradedWords = ['degraded', 'warn', 'warning', 'yellow', 'partial'];
const downWords = ['down', 'unhealthy', 'fail', 'failed', 'failing', 'error', 'red', 'unavailable', 'not ready', 'not-ready', 'critical', 'dead'];

/** Reads a health status word (`OK`, `healthy`, `DOWN`, `unavailable`…), or undefined if not one. */
export function healthWord(value: unknown): HealthWord | undefined {
  if (typeof value === 'boolean') return value ? 'ok' : 'down';
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  if (okWords.includes(word)) return 'ok';
  if (degradedWords.includes(word)) return 'degraded';
  if (downWords.includes(word)) return 'down';
  return undefined;
}

/** A short error text from a JSON body (`msg`, `message`, `error`) or a short plain-text body. */
export function errorMessage(body: string): string | undefined {
  const object = jsonObjectBody(body);
  if (typeof object !== 'string') {
    for (const key of ['msg', 'message', 'error', 'reason']) {
      const value = object[key];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
    return undefined;
  }
  const trimmed = body.trim();
  if (object !== 'not JSON' || trimmed === '' || trimmed.length > 300 || trimmed.includes('\n')) return undefined;
  return trimmed;
}
