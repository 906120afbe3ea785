import type { LabHttpRequest, LabHttpResponse } from '../endpoints';
import type { CommandContext, CommandRegistry } from '../shell';
import { getopt, has, reason, value, values } from './util';

/**
 * curl 7.88 (Debian 12) against the lab's HTTP endpoints: loopback addresses reach
 * this host's listeners, other names go through the host's network resolver.
 * Exit codes and messages are curl's (7 refused, 6 unresolved, 22 with -f, 28 timeout).
 */
export function registerCurl(registry: CommandRegistry): void {
  registry.register('curl', curl);
}

const reasons: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

interface CurlResult {
  exitCode: number;
  error?: string;
  response?: LabHttpResponse;
  elapsedMs: number;
}

const curlOptions = {
  flags: 'sSfkLiIvG',
  values: 'owXHdmuAK',
  longFlags: ['silent', 'show-error', 'fail', 'insecure', 'location', 'include', 'head', 'verbose', 'get', 'compressed', 'fail-with-body', 'no-progress-meter'],
  longValues: ['output', 'write-out', 'request', 'header', 'data', 'data-raw', 'data-binary', 'data-ascii', 'data-urlencode', 'json', 'max-time', 'connect-timeout', 'user', 'user-agent', 'retry', 'retry-delay', 'unix-socket', 'config', 'url'],
};

/**
 * curl's `-K FILE` / `-K -` config: one long option per line (leading dashes optional), its
 * parameter after whitespace, `=` or `:`, double-quoted with backslash escapes when it has
 * spaces; `#` starts a comment. Admins' tools use it to keep tokens out of the process list.
 */
export function curlConfigArgs(text: string): string[] {
  const args: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = /^-*([A-Za-z0-9-]+)/.exec(line)?.[1];
    if (name === undefined) continue;
    const rest = line.slice(line.indexOf(name) + name.length).replace(/^\s*[=:]?\s*/, '');
    let parameter: string | undefined;
    if (rest.startsWith('"')) {
      parameter = '';
      const escapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', v: '\v' };
      for (let i = 1; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\' && i + 1 < rest.length) parameter += escapes[rest[++i]!] ?? rest[i];
        else parameter += rest[i];
      }
    } else if (rest !== '') {
      parameter = rest.split(/\s/)[0];
    }
    args.push(`--${name}`);
    if (parameter !== undefined && !curlOptions.longFlags.includes(name)) args.push(parameter);
  }
  return args;
}

async function curl(ctx: CommandContext): Promise<number> {
  const usage = (error: string): number => {
    ctx.stderr.write(`curl: ${error}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
    return 2;
  };
  let parsed = getopt(ctx.argv.slice(1), curlOptions);
  if (parsed.error) return usage(parsed.error);
  const configs = values(parsed, 'K', 'config');
  if (configs.length > 0) {
    const fromConfig: string[] = [];
    for (const config of configs) {
      try {
        const text = config === '-' ? (await ctx.stdin.readAll(ctx.signal)).toString('utf8') : ctx.host.vfs.readFile(ctx.resolve(config), ctx.cred).toString('utf8');
        fromConfig.push(...curlConfigArgs(text));
      } catch {
        ctx.stderr.write(`curl: cannot read config from '${config}'\n`);
        return 26;
      }
    }
    parsed = getopt([...fromConfig, ...ctx.argv.slice(1)], curlOptions);
    if (parsed.error) return usage(parsed.error);
    const url = value(parsed, 'url');
    if (url !== undefined && parsed.operands.length === 0) parsed.operands.push(url);
  }
  const silent = has(parsed, 's', 'silent');
  const showError = has(parsed, 'S', 'show-error') || !silent;
  const url = parsed.operands[0];
  if (!url) {
    if (showError) ctx.stderr.write("curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }

  const headers: Record<string, string> = { host: '', 'user-agent': value(parsed, 'A', 'user-agent') ?? 'curl/7.88.1', accept: '*/*' };
  for (const header of values(parsed, 'H', 'header')) {
    const colon = header.indexOf(':');
    if (colon > 0) headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const credentials = value(parsed, 'u', 'user');
  if (credentials) headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;

  let body = Buffer.alloc(0);
  const dataParts: string[] = [];
  for (const [name, raw] of parsed.options) {
    if (typeof raw !== 'string' || !['d', 'data', 'data-raw', 'data-binary', 'data-ascii', 'json', 'data-urlencode'].includes(name)) continue;
    let text = raw;
    if (raw.startsWith('@') && name !== 'data-raw') {
      try {
        text = raw === '@-' ? (await ctx.stdin.readAll(ctx.signal)).toString('utf8') : ctx.host.vfs.readFile(ctx.resolve(raw.slice(1)), ctx.cred).toString('utf8');
      } catch {
        ctx.stderr.write(`Warning: Couldn't read data from file "${raw.slice(1)}", this makes an empty POST.\n`);
        text = '';
      }
      if (name === 'd' || name === 'data' || name === 'data-ascii') text = text.replace(/[\r\n]/g, '');
    }
    if (name === 'data-urlencode') text = encodeURIComponent(text);
    if (name === 'json') {
      headers['content-type'] ??= 'application/json';
      headers.accept = 'application/json';
    }
    dataParts.push(text);
  }
  const hasData = dataParts.length > 0;
  if (hasData) {
    body = Buffer.from(dataParts.join('&'));
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    headers['content-length'] = String(body.length);
  }
  const head = has(parsed, 'I', 'head');
  const method = value(parsed, 'X', 'request') ?? (head ? 'HEAD' : hasData ? 'POST' : 'GET');

  const maxTimeText = value(parsed, 'm', 'max-time');
  const maxTimeMs = maxTimeText === undefined ? undefined : Number(maxTimeText) * 1000;
  const result = await perform(ctx, url, { method, headers, body }, maxTimeMs);

  const response = result.response;
  const failOnError = has(parsed, 'f', 'fail') && !has(parsed, 'fail-with-body');
  let exitCode = result.exitCode;
  let errorMessage = result.error;
  if (response && response.status >= 400 && (failOnError || has(parsed, 'fail-with-body'))) {
    exitCode = 22;
    errorMessage = `The requested URL returned error: ${response.status}`;
  }

  const responseBody = response?.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body);
  const output = value(parsed, 'o', 'output');
  if (response && !(exitCode === 22 && failOnError)) {
    let payload = Buffer.alloc(0);
    if (has(parsed, 'i', 'include') || head) payload = Buffer.from(statusBlock(response, responseBody.length));
    if (!head) payload = Buffer.concat([payload, responseBody]);
    if (output === undefined || output === '-') ctx.stdout.write(payload);
    else if (output !== '/dev/null') {
      try {
        ctx.host.vfs.writeFile(ctx.resolve(output), payload, { cred: ctx.cred });
      } catch (error) {
        exitCode = 23;
        errorMessage = `Failure writing output to destination (${reason(error)})`;
      }
    }
  }
  if (!silent && !has(parsed, 'no-progress-meter')) ctx.stderr.write(progressMeter(responseBody.length, result.elapsedMs));

  const writeOut = value(parsed, 'w', 'write-out');
  if (writeOut !== undefined) ctx.stdout.write(expandWriteOut(writeOut, { url, response, body: responseBody, exitCode, error: errorMessage, elapsedMs: result.elapsedMs }));
  if (exitCode !== 0 && showError && errorMessage) ctx.stderr.write(`curl: (${exitCode}) ${errorMessage}\n`);
  return exitCode;
}

async function perform(
  ctx: CommandContext,
  url: string,
  request: { method: string; headers: Record<string, string>; body: Buffer },
  maxTimeMs: number | undefined,
): Promise<CurlResult> {
  const started = ctx.host.clock.lab.labNow();
  const elapsed = (): number => ctx.host.clock.lab.labNow() - started;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
  } catch {
    return { exitCode: 3, error: 'URL using bad/illegal format or missing URL', elapsedMs: 0 };
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    return { exitCode: 1, error: `Protocol "${parsedUrl.protocol.replace(':', '')}" not supported or disabled in libcurl`, elapsedMs: 0 };
  }
  const hostName = parsedUrl.hostname.replace(/^\[|\]$/g, '');
  const port = parsedUrl.port ? Number(parsedUrl.port) : parsedUrl.protocol === 'https:' ? 443 : 80;
  const endpoints = ctx.host.network.resolve(hostName);
  if (!endpoints) return { exitCode: 6, error: `Could not resolve host: ${hostName}`, elapsedMs: 0 };
  if (!endpoints.isListening(port)) {
    return { exitCode: 7, error: `Failed to connect to ${hostName} port ${port} after 0 ms: Couldn't connect to server`, elapsedMs: 0 };
  }
  request.headers.host = parsedUrl.host;
  const labRequest: LabHttpRequest = {
    method: request.method,
    path: decodeURIComponent(parsedUrl.pathname),
    query: parsedUrl.searchParams,
    headers: request.headers,
    body: request.body,
    port,
  };
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let cancelTimer: () => void = () => undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (maxTimeMs !== undefined) cancelTimer = ctx.host.clock.timer(maxTimeMs, () => resolve('timeout'));
  });
  const cancelled = new Promise<'cancelled'>((resolve) => controller.signal.addEventListener('abort', () => resolve('cancelled'), { once: true }));
  try {
    const outcome = await Promise.race([endpoints.request(labRequest, controller.signal), timedOut, cancelled]);
    if (outcome === 'timeout') {
      controller.abort(new Error('timeout'));
      return { exitCode: 28, error: `Operation timed out after ${Math.round(maxTimeMs!)} milliseconds with 0 bytes received`, elapsedMs: elapsed() };
    }
    if (outcome === 'cancelled') return { exitCode: 130, elapsedMs: elapsed() };
    if (!outcome) return { exitCode: 7, error: `Failed to connect to ${hostName} port ${port} after 0 ms: Couldn't connect to server`, elapsedMs: 0 };
    return { exitCode: 0, response: outcome, elapsedMs: elapsed() };
  } catch {
    // The server dropped the connection.
    return { exitCode: 52, error: 'Empty reply from server', elapsedMs: elapsed() };
  } finally {
    cancelTimer();
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function statusBlock(response: LabHttpResponse, length: number): string {
  const headers = { 'content-length': String(length), ...lowerKeys(response.headers ?? {}) };
  const lines = [`HTTP/1.1 ${response.status} ${reasons[response.status] ?? ''}`.trimEnd()];
  for (const [key, val] of Object.entries(headers)) lines.push(`${headerCase(key)}: ${val}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function progressMeter(size: number, elapsedMs: number): string {
  const speed = elapsedMs > 0 ? Math.round((size * 1000) / elapsedMs) : size;
  const fit = (n: number): string => String(n).padStart(5);
  return (
    '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
    '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
    `100 ${fit(size)}  100 ${fit(size)}    0     0 ${fit(speed)}      0 --:--:-- --:--:-- --:--:-- ${fit(speed)}\n`
  );
}

function expandWriteOut(
  format: string,
  info: { url: string; response: LabHttpResponse | undefined; body: Buffer; exitCode: number; error: string | undefined; elapsedMs: number },
): string {
  const seconds = (info.elapsedMs / 1000).toFixed(6);
  const variables: Record<string, string> = {
    http_code: info.response ? String(info.response.status).padStart(3, '0') : '000',
    response_code: info.response ? String(info.response.status) : '0',
    size_download: String(info.body.length),
    time_total: seconds,
    time_connect: '0.000100',
    time_starttransfer: seconds,
    url_effective: info.url,
    content_type: lowerKeys(info.response?.headers ?? {})['content-type'] ?? '',
    exitcode: String(info.exitCode),
    errormsg: info.error ?? '',
    http_version: info.response ? '1.1' : '0',
  };
  return format
    .replace(/%\{([a-z_]+)\}/g, (whole, name: string) => variables[name] ?? whole)
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\r/g, '\r');
}
