import { AppError } from '../../../shared/contract/errors';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { parseCurlResponse } from '../../../shared/stacks/parsers';
import { portOf } from '../../../shared/stacks/profiles/common';
import { ROCKETCHAT_DEFAULT_PORT } from '../../../shared/stacks/profiles/rocketchat';
import { serviceRunOf, systemdRun } from '../../../shared/stacks/profiles/service';
import type { HostRunner } from '../hosts/host-runner';
import type { SecretStore } from '../inventory/secrets';

/**
 * Rocket.Chat's REST API on one node, addressed directly on its own port (never through
 * HAProxy, so the answer is that node's). curl runs on the host and reads its whole request
 * from a config on stdin (`curl -K -`): the admin token and the license never appear in a
 * process list or a shell history.
 */

export interface RestAnswer {
  status: number;
  body: unknown;
}

interface Credentials {
  userId: string;
  token: string;
}

const REQUEST_TIMEOUT_SECONDS = 20;

/** A curl config value: double-quoted, with the two characters that need it escaped. */
function configValue(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new AppError('INVALID_INPUT', 'A REST request value contains a line break or NUL byte.');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function curlConfig(request: { url: string; method: string; headers: string[]; body?: string }): string {
  const lines = [
    `url = ${configValue(request.url)}`,
    `request = ${configValue(request.method)}`,
    'silent',
    `max-time = ${REQUEST_TIMEOUT_SECONDS}`,
    'write-out = "\\n%{http_code}"',
    ...request.headers.map((header) => `header = ${configValue(header)}`),
  ];
  if (request.body !== undefined) lines.push(`data-binary = ${configValue(request.body)}`);
  return `${lines.join('\n')}\n`;
}

export class RocketChatRest {
  /** Tokens got by logging in with a password, per cluster, for this process only. */
  private readonly logins = new Map<string, Credentials>();

  constructor(
    private readonly runner: HostRunner,
    private readonly secrets: SecretStore,
  ) {}

  /** Whether the inventory holds admin credentials for this cluster's REST API, and if not why. */
  static credentialsProblem(cluster: Cluster): string | undefined {
    const settings = cluster.rocketchat;
    if (settings?.authToken && settings.adminUserId) return undefined;
    if (settings?.password && settings.adminUser) return undefined;
    return `cluster ${cluster.name} has no Rocket.Chat admin credentials (rocketchat.adminUserId + authToken, or adminUser + password)`;
  }

  async call(cluster: Cluster, host: Host, request: { method: 'GET' | 'POST'; path: string; body?: unknown; signal?: AbortSignal }): Promise<RestAnswer> {
    const credentials = await this.credentials(cluster, host, request.signal);
    return this.send(cluster, host, {
      ...request,
      headers: [`X-User-Id: ${credentials.userId}`, `X-Auth-Token: ${credentials.token}`],
    });
  }

  private async send(
    cluster: Cluster,
    host: Host,
    request: { method: string; path: string; body?: unknown; headers: string[]; signal?: AbortSignal },
  ): Promise<RestAnswer> {
    const port = portOf(host, 'rocketchat.port', ROCKETCHAT_DEFAULT_PORT);
    if (port === undefined) throw new AppError('INVALID_INPUT', `${host.name}: the label rocketchat.port is not a port number`);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const config = curlConfig({
      url: `http://localhost:${port}${request.path}`,
      method: request.method,
      headers: [...request.headers, ...(body === undefined ? [] : ['Content-Type: application/json'])],
      ...(body === undefined ? {} : { body }),
    });
    const run = serviceRunOf(host, 'rocketchat', systemdRun('rocketchat', 'rocketchat'));
    const argv = run.kind === 'wrapped' ? [...run.wrapper, 'curl', '-K', '-'] : ['curl', '-K', '-'];
    const result = await this.runner.run(cluster, host, argv, {
      stdin: config,
      timeoutMs: (REQUEST_TIMEOUT_SECONDS + 10) * 1000,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const parsed = parseCurlResponse(result.stdout, result.exitCode ?? undefined);
    if (parsed.status !== 'ok') {
      throw new AppError('UNAVAILABLE', `${request.method} ${request.path} on ${host.name}: ${parsed.reason}${result.stderr.trim() ? ` (${result.stderr.trim().slice(0, 200)})` : ''}`);
    }
    let answer: unknown = parsed.value.body;
    try {
      answer = JSON.parse(parsed.value.body);
    } catch {
      // Not JSON (an HTML error page): kept as text for the message.
    }
    if (parsed.value.status === 401) this.logins.delete(cluster.name);
    return { status: parsed.value.status, body: answer };
  }

  private async credentials(cluster: Cluster, host: Host, signal?: AbortSignal): Promise<Credentials> {
    const problem = RocketChatRest.credentialsProblem(cluster);
    if (problem !== undefined) throw new AppError('INVALID_INPUT', problem);
    const settings = cluster.rocketchat!;
    if (settings.authToken && settings.adminUserId) return { userId: settings.adminUserId, token: await this.secrets.get(settings.authToken.secret) };
    const cached = this.logins.get(cluster.name);
    if (cached) return cached;
    const password = await this.secrets.get(settings.password!.secret);
    const login = await this.send(cluster, host, { method: 'POST', path: '/api/v1/login', body: { user: settings.adminUser, password }, headers: [], ...(signal ? { signal } : {}) });
    const data = (login.body as { data?: { userId?: unknown; authToken?: unknown } } | undefined)?.data;
    if (login.status !== 200 || typeof data?.userId !== 'string' || typeof data.authToken !== 'string') {
      throw new AppError('SSH_AUTH', `Logging in to Rocket.Chat on ${host.name} as ${settings.adminUser ?? '?'} failed (HTTP ${login.status}).`);
    }
    const credentials = { userId: data.userId, token: data.authToken };
    this.logins.set(cluster.name, credentials);
    return credentials;
  }
}

/** `{ success: false, error: "..." }` as one line, for messages. */
export function restError(answer: RestAnswer): string {
  const body = answer.body as { error?: unknown; message?: unknown } | string | undefined;
  const said = typeof body === 'string' ? body.slice(0, 200) : typeof body?.error === 'string' ? body.error : typeof body?.message === 'string' ? body.message : '';
  return `HTTP ${answer.status}${said ? `: ${said}` : ''}`;
}
