import { shellCommand } from '../shell/quote';

/**
 * An HTTP call made on the host itself (the service often listens on loopback only):
 * curl prints the body, a newline and the status code, which `parseCurlResponse` reads.
 */
export function curlCommand(url: string, options: { timeoutSeconds?: number; method?: string; headers?: string[] } = {}): string {
  const argv = ['curl', '-s', '-m', String(options.timeoutSeconds ?? 5), '-w', '\n%{http_code}'];
  if (options.method) argv.push('-X', options.method);
  for (const header of options.headers ?? []) argv.push('-H', header);
  argv.push(url);
  return shellCommand(argv);
}

export function localUrl(port: number, path: string): string {
  return `http://localhost:${port}${path.startsWith('/') ? path : `/${path}`}`;
}
