import { z } from 'zod';

/**
 * Host addresses end up on ssh command lines, in ProxyJump chains and in log lines, so
 * they are validated strictly: a DNS name, an IPv4 or an IPv6 address, nothing else.
 * The specific checks come first so a hostile value gets a message that says what is
 * wrong with it, not just "invalid".
 */

const WHITESPACE = /\s/;
// Characters a shell, ssh's option parser or a URL would give meaning to.
const FORBIDDEN_CHAR = /[;&|`$<>(){}[\]!*?~'"\\#=,%^@/+]/;
const DNS_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const MAX_DNS_NAME = 253;

/** C0 and C1 control characters, DEL included (newlines, NUL, escape sequences). */
export function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

export function isIPv4(text: string): boolean {
  return ipv4.safeParse(text).success;
}

export function isIPv6(text: string): boolean {
  return ipv6.safeParse(text).success;
}

function isDnsName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > MAX_DNS_NAME) return false;
  // Dotted digits that are not a valid IPv4 address (e.g. 999.1.1.1) are a typo, not a name.
  if (/^[\d.]+$/.test(name)) return false;
  return name.split('.').every((label) => DNS_LABEL.test(label));
}

/** Shows a refused value safely inside a message: quoted, escaped, and cut short. */
export function describeValue(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  return shown;
}

/**
 * Why `text` is not an acceptable host address, or undefined when it is one. The
 * message names the offending character so an admin sees at once why it was refused.
 */
export function addressProblem(text: string): string | undefined {
  if (text.length === 0) return 'a host address is required';
  const shown = describeValue(text);
  if (hasControlChar(text)) return `${shown} is refused: it contains a control character (e.g. a newline)`;
  if (WHITESPACE.test(text)) return `${shown} is refused: a host address cannot contain spaces`;
  if (text.startsWith('-')) return `${shown} is refused: a host address cannot start with "-" (ssh would read it as an option)`;
  if (isIPv4(text) || isIPv6(text)) return undefined;
  const forbidden = FORBIDDEN_CHAR.exec(text);
  if (forbidden) return `${shown} is refused: a host address cannot contain "${forbidden[0]}"`;
  if (!isDnsName(text)) return `${shown} is not a valid host name, IPv4 or IPv6 address`;
  return undefined;
}

export const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export function userProblem(text: string): string | undefined {
  if (text.length === 0) return 'a user name is required';
  if (!SSH_USER.test(text)) {
    return `${describeValue(text)} is not a valid user name (letters, digits, "_", "." and "-"; not starting with "-")`;
  }
  return undefined;
}

/** One hop of a ProxyJump chain written as `[user@]host[:port]` (IPv6 in brackets when a port follows). */
export interface JumpSpec {
  user?: string;
  address: string;
  port?: number;
}

export type JumpParse = { ok: true; spec: JumpSpec } | { ok: false; problem: string };

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

export function parseJumpSpec(text: string): JumpParse {
  const shown = describeValue(text);
  const at = text.indexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  if (user !== undefined) {
    const problem = userProblem(user);
    if (problem) return { ok: false, problem: `jump host ${shown}: ${problem}` };
  }
  let address = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    address = bracketed[1] ?? '';
    if (!isIPv6(address)) return { ok: false, problem: `jump host ${shown}: only an IPv6 address goes in brackets` };
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2]);
    if (bracketed[2] !== undefined && port === undefined) return { ok: false, problem: `jump host ${shown}: invalid port` };
  } else if (rest.split(':').length === 2) {
    const [host = '', portText = ''] = rest.split(':');
    address = host;
    port = parsePort(portText);
    if (port === undefined) return { ok: false, problem: `jump host ${shown}: invalid port` };
  }
  const problem = addressProblem(address);
  if (problem) return { ok: false, problem: `jump host: ${problem}` };
  const spec: JumpSpec = { address };
  if (user !== undefined) spec.user = user;
  if (port !== undefined) spec.port = port;
  return { ok: true, spec };
}

/** The inverse of `parseJumpSpec`. */
export function formatJumpSpec(spec: JumpSpec): string {
  const host = spec.port !== undefined && spec.address.includes(':') ? `[${spec.address}]` : spec.address;
  return `${spec.user !== undefined ? `${spec.user}@` : ''}${host}${spec.port !== undefined ? `:${spec.port}` : ''}`;
}
