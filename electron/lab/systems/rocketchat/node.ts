import { createHash, randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MongoClient, type Db } from 'mongodb';
import { licenseLimitKinds, type LicenseV3Payload } from '../../../../shared/license/schema';
import type { LabHttpRequest, LabHttpResponse } from '../../host/endpoints';
import { labBinary } from '../../host/lab-binary';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';
import type { LabLicenseIssuer } from '../../license/issuer';
import { evaluateLicense, licenseFormatValid, type LicenseVerdict } from './license';

/**
 * One simulated Rocket.Chat 7 app node (FIELD-NOTES §1). Its process, on each start: connects to
 * the workspace's MongoDB, registers in `instances` and heartbeats every 10 s, applies
 * `Enterprise_License` and decides IN ITS OWN MEMORY whether the workspace is read-only
 * (AirGappedRestriction: no valid license and the air-gap countdown at 0). `licenses.add` lifts
 * the restriction on the node that received it; other nodes only see it when they start again.
 * HTTP on its port (`curl` on the host): `/api/info`, `/health`, `licenses.add`,
 * `licenses.info`, `chat.postMessage` (refused while read-only).
 */

/** What every node of one workspace shares: the database, the site, the license authority. */
export interface RocketChatWorkspace {
  issuer: LabLicenseIssuer;
  siteUrl: string;
  /** Full version, e.g. `7.0.0` (the start banner); `/api/info` says major.minor. */
  version: string;
  /** Connection string with the database name, as in the nodes' MONGO_URL. */
  mongoUrl: string;
  /**
   * Days left on the air-gap countdown now (the days since the last statistics sync,
   * counted down); at 0 or below, a node without a valid license starts read-only.
   */
  airGapDaysLeft: number;
}

export type RunAs = 'systemd' | 'docker';

export interface RocketChatNodeOptions {
  host: LabHost;
  workspace: RocketChatWorkspace;
  /** The node's address as the cluster knows it (INSTANCE_IP, HAProxy's server address). */
  instanceIp: string;
  port?: number;
  runAs?: RunAs;
  /** Lab milliseconds from exec until the node listens (a real node takes 30 s or more). */
  startupMs?: number;
}

export const ROCKETCHAT_PORT = 3000;
export const HEARTBEAT_MS = 10_000;
const NODE_VERSION = 'v20.18.0';
const DAY_MS = 86_400_000;

/** Users counted against license limits, as Rocket.Chat's `getActiveLocalUserCount` counts them. */
const ACTIVE_USERS = { active: true, roles: { $ne: ['guest'] }, type: { $nin: ['app', 'bot'] }, federated: { $ne: true }, isRemote: { $ne: true } };

const READ_ONLY_BANNER =
  'Workspace in read-only mode. Admins can restore full functionality by connecting it to the internet or upgrading to a premium plan';

/** The state of one run of the node's process: lost when the process ends. */
interface NodeRun {
  ctx: ProcessContext;
  /** A new id per process, as InstanceStatus uses. */
  instanceId: string;
  ready: boolean;
  /** MongoDB answered the last heartbeat. */
  healthy: boolean;
  /** AirGappedRestriction, in this process's memory only. */
  restricted: boolean;
  license: Extract<LicenseVerdict, { valid: true }> | undefined;
}

/** Emits `change` whenever the node becomes ready, stops, or changes its read-only decision. */
export class RocketChatNode extends EventEmitter {
  readonly host: LabHost;
  readonly workspace: RocketChatWorkspace;
  readonly instanceIp: string;
  readonly port: number;
  readonly runAs: RunAs;
  readonly startupMs: number;
  #run: NodeRun | undefined;
  #client: MongoClient | undefined;
  /** Host time the current process started (for the air-gap countdown of a resumed process). */
  #processSinceMs: number;

  constructor(options: RocketChatNodeOptions) {
    super();
    this.host = options.host;
    this.workspace = options.workspace;
    this.instanceIp = options.instanceIp;
    this.port = options.port ?? ROCKETCHAT_PORT;
    this.runAs = options.runAs ?? 'systemd';
    this.startupMs = options.startupMs ?? 12_000;
    this.#processSinceMs = this.host.clock.now();
  }

  get name(): string {
    return this.host.name;
  }

  /** The node answers HTTP (its process is up and listening). */
  get ready(): boolean {
    return this.#run?.ready === true;
  }

  /** The node's own read-only decision; undefined while it is not running. */
  get restricted(): boolean | undefined {
    return this.#run?.ready ? this.#run.restricted : undefined;
  }

  /**
   * Installs the node on its host, running since `sinceMs` (host time): a systemd unit
   * `rocketchat` or a container `rocketchat`, and its HTTP port.
   */
  install(sinceMs: number): void {
    const { host, workspace } = this;
    this.#processSinceMs = sinceMs;
    const env = {
      ROOT_URL: workspace.siteUrl,
      PORT: String(this.port),
      MONGO_URL: workspace.mongoUrl,
      INSTANCE_IP: this.instanceIp,
      DEPLOY_METHOD: this.runAs === 'docker' ? 'docker' : 'tar',
    };
    if (this.runAs === 'docker') {
      host.containers.add({
        name: 'rocketchat',
        image: `registry.rocket.chat/rocketchat/rocket.chat:${workspace.version}`,
        command: ['docker-entrypoint.sh', 'node', 'main.js'],
        env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
        labels: { 'com.docker.compose.project': 'rocketchat', 'com.docker.compose.service': 'rocketchat' },
        ports: [{ containerPort: this.port, hostPort: this.port }],
        restartPolicy: 'unless-stopped',
        createdAtMs: sinceMs - 60_000,
        runningSinceMs: sinceMs,
        behaviour: this.behaviour,
      });
    } else {
      host.vfs.writeFile('/usr/local/bin/node', labBinary({ program: 'node', version: NODE_VERSION, versionOutput: NODE_VERSION }), { mode: 0o755 });
      host.vfs.mkdir('/opt/Rocket.Chat/programs/server', { parents: true });
      host.vfs.writeFile('/opt/Rocket.Chat/main.js', "require('./programs/server/boot.js');\n");
      host.vfs.writeFile('/opt/Rocket.Chat/star.json', `${JSON.stringify({ meteorRelease: 'METEOR@2.16', nodeVersion: NODE_VERSION.slice(1), rocketchatVersion: workspace.version })}\n`);
      host.services.install({
        name: 'rocketchat',
        unitText: [
          '[Unit]',
          'Description=The Rocket.Chat server',
          'After=network.target remote-fs.target nss-lookup.target nginx.service mongod.service',
          '',
          '[Service]',
          'ExecStart=/usr/local/bin/node /opt/Rocket.Chat/main.js',
          'StandardOutput=journal',
          'StandardError=journal',
          'SyslogIdentifier=rocketchat',
          'User=rocketchat',
          'Restart=on-failure',
          ...Object.entries(env).map(([key, value]) => `Environment=${key}=${value}`),
          '',
          '[Install]',
          'WantedBy=multi-user.target',
          '',
        ].join('\n'),
        behaviour: this.behaviour,
      });
      host.services.bootstrap('rocketchat', sinceMs);
    }
    host.http.register(this.port, (request) => this.#handle(request), { listening: () => this.ready });
  }

  /** Closes the node's MongoDB connections (the lab is stopping). */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close(true);
  }

  readonly behaviour: ProcessBehaviour = {
    start: (ctx) => {
      const run: NodeRun = { ctx, instanceId: randomUUID(), ready: false, healthy: true, restricted: false, license: undefined };
      this.#run = run;
      if (!ctx.resumed) this.#processSinceMs = ctx.clock.now();
      ctx.signal.addEventListener('abort', () => {
        if (this.#run !== run) return;
        this.#run = undefined;
        this.emit('change');
      });
      void this.#boot(run).catch((error: unknown) => {
        if (ctx.signal.aborted) return;
        this.#log(run, 50, 'Server', `${errorName(error)}: ${errorText(error)}`);
        ctx.exit(1);
      });
    },
    stop: (ctx) => {
      ctx.after(400, () => ctx.exit(0));
    },
  };

  async #boot(run: NodeRun): Promise<void> {
    const { ctx } = run;
    const alive = (): boolean => !ctx.signal.aborted;
    if (!ctx.resumed) {
      this.#log(run, 30, 'Server', `Starting Rocket.Chat ${this.workspace.version}`);
      this.#log(run, 30, 'Server', `Connecting to ${redactMongoUrl(this.workspace.mongoUrl)}`);
    }
    const db = await this.#db();
    if (!alive()) return;
    await this.#registerInstance(db, run);
    if (!alive()) return;
    if (!ctx.resumed) {
      this.#log(run, 30, 'Migrations', 'Not migrating, already at version 313');
      await ctx.clock.sleep(this.startupMs, ctx.signal).catch(() => undefined);
      if (!alive()) return;
    }
    const settings = await this.#settings(db);
    const verdict = await this.#evaluate(db, settings.license, settings.siteUrl);
    if (!alive()) return;
    run.license = verdict.valid ? verdict : undefined;
    if (ctx.resumed) {
      // A process that has been up since before the lab started decided when it booted.
      const daysAtBoot = this.workspace.airGapDaysLeft + Math.floor((ctx.clock.now() - this.#processSinceMs) / DAY_MS);
      run.restricted = !verdict.valid && daysAtBoot <= 0;
    } else {
      this.#startBanner(run, settings.siteUrl);
      run.restricted = !verdict.valid && this.workspace.airGapDaysLeft <= 0;
      this.#logLicense(run, verdict, settings.license);
      if (run.restricted) this.#logRestriction(run, true);
      await this.#mirrorLicenseState(db, run, verdict);
      if (!alive()) return;
    }
    run.ready = true;
    ctx.ready();
    this.emit('change');
    this.#scheduleHeartbeat(db, run);
  }

  /**
   * InstanceStatus's ping every 10 s; an entry the TTL already removed is registered again. A
   * stopped process just goes silent (Rocket.Chat's remove-on-exit cannot finish its round trip
   * before the process is gone), so its entry lingers until the TTL expires it.
   */
  #scheduleHeartbeat(db: Db, run: NodeRun): void {
    run.ctx.after(HEARTBEAT_MS, () => {
      void db
        .collection<{ _id: string }>('instances')
        .updateOne({ _id: run.instanceId }, { $currentDate: { _updatedAt: true }, $set: { 'extraInformation.conns': 0 } })
        .then(async (result) => {
          if (result.matchedCount === 0 && !run.ctx.signal.aborted) await this.#registerInstance(db, run);
          run.healthy = true;
        })
        .catch((error: unknown) => {
          if (run.ctx.signal.aborted) return;
          if (run.healthy) this.#log(run, 50, 'InstanceStatus', `Error updating instance status: ${errorText(error)}`);
          run.healthy = false;
        })
        .finally(() => this.#scheduleHeartbeat(db, run));
    });
  }

  async #db(): Promise<Db> {
    this.#client ??= new MongoClient(this.workspace.mongoUrl, { serverSelectionTimeoutMS: 5_000, appName: `rocket.chat ${this.name}` });
    await this.#client.connect();
    return this.#client.db();
  }

  /** InstanceStatus.registerInstance: the server's clock stamps the entry, so the TTL follows it. */
  async #registerInstance(db: Db, run: NodeRun): Promise<void> {
    await db.collection<{ _id: string }>('instances').updateOne(
      { _id: run.instanceId },
      {
        $set: {
          name: 'rocket.chat',
          pid: run.ctx.pid,
          extraInformation: {
            host: this.instanceIp,
            port: String(this.port),
            tcpPort: 0,
            os: { type: 'Linux', platform: 'linux', arch: 'x64' },
            nodeVersion: NODE_VERSION,
            conns: 0,
          },
        },
        $currentDate: { _createdAt: true, _updatedAt: true },
      },
      { upsert: true },
    );
  }

  async #settings(db: Db): Promise<{ siteUrl: string | undefined; license: string }> {
    const documents = await db
      .collection<{ _id: string; value?: unknown }>('rocketchat_settings')
      .find({ _id: { $in: ['Site_Url', 'Enterprise_License'] } })
      .toArray();
    const value = (id: string): unknown => documents.find((document) => document._id === id)?.value;
    const siteUrl = value('Site_Url');
    const license = value('Enterprise_License');
    return { siteUrl: typeof siteUrl === 'string' ? siteUrl : undefined, license: typeof license === 'string' ? license : '' };
  }

  async #evaluate(db: Db, license: string, siteUrl: string | undefined): Promise<LicenseVerdict> {
    const activeUsers = await db.collection('users').countDocuments(ACTIVE_USERS);
    return evaluateLicense(this.workspace.issuer, license, { siteUrl, now: this.host.clock.now(), activeUsers, node: this.name });
  }

  /** What this node tells the others through the settings (a mirror: the node's memory decides). */
  async #mirrorLicenseState(db: Db, run: NodeRun, verdict: LicenseVerdict): Promise<void> {
    await setSetting(db, 'Enterprise_License_Status', verdict.valid ? 'Valid' : 'Invalid');
    await setSetting(db, 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', run.restricted ? 0 : verdict.valid ? -1 : Math.max(0, this.workspace.airGapDaysLeft));
  }

  // ---- HTTP --------------------------------------------------------------------

  async #handle(request: LabHttpRequest): Promise<LabHttpResponse> {
    const run = this.#run;
    if (!run?.ready) return json(503, { success: false, error: 'Service Unavailable' });
    const route = `${request.method} ${request.path.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /api/info':
        return json(200, { version: this.workspace.version.split('.').slice(0, 2).join('.'), success: true });
      case 'GET /health':
        return run.healthy ? text(200, 'ok') : text(500, 'not healthy');
      case 'POST /api/v1/licenses.add':
        return this.#authenticated(request, run, (user) => this.#licensesAdd(request, run, user));
      case 'GET /api/v1/licenses.info':
        return this.#authenticated(request, run, (user) => this.#licensesInfo(request, run, user));
      case 'POST /api/v1/chat.postMessage':
        return this.#authenticated(request, run, (user) => this.#postMessage(request, run, user));
      default:
        if (request.path.startsWith('/api/')) return json(404, { status: 'error', message: 'API endpoint does not exist' });
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: WEB_CLIENT_HTML };
    }
  }

  async #authenticated(request: LabHttpRequest, run: NodeRun, handler: (user: AuthenticatedUser) => Promise<LabHttpResponse>): Promise<LabHttpResponse> {
    const userId = request.headers['x-user-id'];
    const token = request.headers['x-auth-token'];
    const unauthorized = json(401, { status: 'error', message: 'You must be logged in to do this.' });
    if (!userId || !token) return unauthorized;
    try {
      const db = await this.#db();
      const user = await db.collection<{ _id: string; username?: string; roles?: string[] }>('users').findOne(
        { _id: userId, active: true, 'services.resume.loginTokens.hashedToken': hashLoginToken(token) },
        { projection: { username: 1, roles: 1 } },
      );
      if (!user) return unauthorized;
      return await handler({ id: user._id, username: user.username ?? '', roles: user.roles ?? [] });
    } catch (error) {
      if (!run.ctx.signal.aborted) this.#log(run, 50, 'API', `${errorName(error)}: ${errorText(error)}`);
      return json(500, { success: false, error: 'Internal server error' });
    }
  }

  /** Rocket.Chat's licenses.add: 200 only says the format decrypts; the node then applies it. */
  async #licensesAdd(request: LabHttpRequest, run: NodeRun, user: AuthenticatedUser): Promise<LabHttpResponse> {
    if (!user.roles.includes('admin')) return forbidden();
    const license = bodyField(request, 'license');
    if (license === undefined) {
      return json(400, { success: false, error: "must have required property 'license' [invalid-params]", errorType: 'invalid-params' });
    }
    if (!licenseFormatValid(this.workspace.issuer, license)) return json(400, { success: false, error: 'Invalid license' });
    const db = await this.#db();
    await setSetting(db, 'Enterprise_License', license);
    // Only this node re-applies: the others keep what they decided when they started.
    const settings = await this.#settings(db);
    const verdict = await this.#evaluate(db, license, settings.siteUrl);
    const wasRestricted = run.restricted;
    run.license = verdict.valid ? verdict : undefined;
    run.restricted = !verdict.valid && this.workspace.airGapDaysLeft <= 0;
    this.#logLicense(run, verdict, license);
    if (wasRestricted !== run.restricted) {
      this.#logRestriction(run, run.restricted);
      this.emit('change');
    }
    await this.#mirrorLicenseState(db, run, verdict);
    return json(200, { success: true });
  }

  /** `LicenseInfo` as Rocket.Chat 7 answers it, for what THIS node has applied. */
  async #licensesInfo(request: LabHttpRequest, run: NodeRun, user: AuthenticatedUser): Promise<LabHttpResponse> {
    if (!user.roles.includes('admin')) return forbidden();
    const payload = run.license?.payload;
    const loadValues = request.query.get('loadValues') === 'true';
    const activeUsers = loadValues ? await (await this.#db()).collection('users').countDocuments(ACTIVE_USERS) : undefined;
    return json(200, { license: licenseInfo(payload, activeUsers), success: true });
  }

  async #postMessage(request: LabHttpRequest, run: NodeRun, user: AuthenticatedUser): Promise<LabHttpResponse> {
    if (run.restricted) {
      this.#log(run, 40, 'API', 'chat.postMessage refused: restricted-workspace');
      return json(400, { success: false, error: `${READ_ONLY_BANNER} [restricted-workspace]`, errorType: 'restricted-workspace' });
    }
    const channel = bodyField(request, 'channel') ?? bodyField(request, 'roomId');
    const textValue = bodyField(request, 'text') ?? '';
    if (channel !== '#general' && channel !== 'GENERAL') {
      return json(400, { success: false, error: '[invalid-channel]', errorType: 'invalid-channel' });
    }
    const now = new Date(this.host.clock.now());
    const message = { _id: meteorId(), rid: 'GENERAL', msg: textValue, ts: now, u: { _id: user.id, username: user.username }, _updatedAt: now };
    await (await this.#db()).collection<{ _id: string }>('rocketchat_message').insertOne(message);
    return json(200, { ts: now.getTime(), channel: 'general', message: { ...message, ts: now.toISOString(), _updatedAt: now.toISOString() }, success: true });
  }

  // ---- logs ----------------------------------------------------------------------

  /**
   * Rocket.Chat 7 logs JSON lines (pino), every level to stdout: the journal records them all at
   * priority info and `docker logs` prints them all on stdout; the level is inside the line.
   */
  #log(run: NodeRun, level: number, name: string, msg: string, extra: Record<string, unknown> = {}): void {
    run.ctx.log(JSON.stringify({ level, time: new Date(run.ctx.clock.now()).toISOString(), pid: run.ctx.pid, hostname: this.name, name, msg, ...extra }));
  }

  /** The SERVER RUNNING box, printed as plain lines once the node listens. */
  #startBanner(run: NodeRun, siteUrl: string | undefined): void {
    const rows = [
      `Rocket.Chat Version: ${this.workspace.version}`,
      `     NodeJS Version: ${NODE_VERSION.slice(1)} - x64`,
      '    MongoDB Version: 7.0.14',
      '     MongoDB Engine: wiredTiger',
      '           Platform: linux',
      `       Process Port: ${this.port}`,
      `           Site URL: ${siteUrl ?? this.workspace.siteUrl}`,
      '   ReplicaSet OpLog: Enabled',
      '        Commit Hash: 6a4c1e1b1f',
      '      Commit Branch: HEAD',
    ];
    const width = Math.max(...rows.map((row) => row.length)) + 4;
    const rule = `+${'-'.repeat(width)}+`;
    const centre = (value: string): string => {
      const left = Math.floor((width - value.length) / 2);
      return `|${' '.repeat(left)}${value}${' '.repeat(width - left - value.length)}|`;
    };
    const lines = [rule, centre('SERVER RUNNING'), rule, `|${' '.repeat(width)}|`, ...rows.map((row) => `|  ${row.padEnd(width - 2)}|`), `|${' '.repeat(width)}|`, rule];
    for (const line of lines) run.ctx.log(line);
  }

  #logLicense(run: NodeRun, verdict: LicenseVerdict, text: string): void {
    if (verdict.valid) {
      this.#log(run, 30, 'License', 'License installed', { version: '3.0', hash: verdict.fingerprint.slice(0, 12) });
    } else if (text.trim() !== '') {
      this.#log(run, 40, 'License', `License invalidated: ${verdict.reason}`, verdict.fingerprint ? { hash: verdict.fingerprint.slice(0, 12) } : {});
    }
  }

  #logRestriction(run: NodeRun, restricted: boolean): void {
    if (restricted) {
      this.#log(run, 40, 'License', `Restrictions applied: air-gapped workspace without a valid license. ${READ_ONLY_BANNER}`, { remainingDays: 0 });
    } else {
      this.#log(run, 30, 'License', 'Restrictions removed: a valid license is applied');
    }
  }
}

interface AuthenticatedUser {
  id: string;
  username: string;
  roles: string[];
}

/** Accounts._hashLoginToken: SHA-256, base64. */
export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

async function setSetting(db: Db, id: string, value: unknown): Promise<void> {
  await db.collection<{ _id: string }>('rocketchat_settings').updateOne({ _id: id }, { $set: { value }, $currentDate: { _updatedAt: true } });
}

/** The community answer (no license), as in the fixture of the Open-API spec's shape. */
function licenseInfo(payload: LicenseV3Payload | undefined, activeUsers: number | undefined): Record<string, unknown> {
  const limits: Record<string, { value?: number; max: number }> = {};
  const preventedActions: Record<string, boolean> = {};
  for (const kind of licenseLimitKinds) {
    const entries = payload?.limits[kind] ?? [];
    const max = payload === undefined ? ({ privateApps: 3, marketplaceApps: 5 } as Record<string, number>)[kind] ?? -1 : entries.length === 0 ? -1 : Math.min(...entries.map((entry) => entry.max));
    limits[kind] = kind === 'activeUsers' && activeUsers !== undefined ? { value: activeUsers, max } : { max };
    preventedActions[kind] = payload === undefined && kind === 'privateApps';
  }
  const tags = payload?.information.tags ?? [];
  return {
    ...(payload === undefined ? {} : { license: payload }),
    activeModules: payload?.grantedModules.map((entry) => entry.module) ?? [],
    preventedActions,
    limits,
    tags,
    trial: payload?.information.trial ?? false,
  };
}

function bodyField(request: LabHttpRequest, name: string): string | undefined {
  const raw = request.body.toString('utf8');
  let value: unknown;
  if ((request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') && !raw.trimStart().startsWith('{')) {
    value = new URLSearchParams(raw).get(name) ?? undefined;
  } else {
    try {
      const parsed: unknown = JSON.parse(raw);
      value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[name] : undefined;
    } catch {
      value = undefined;
    }
  }
  return typeof value === 'string' ? value : undefined;
}

function json(status: number, body: unknown): LabHttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function text(status: number, body: string): LabHttpResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body };
}

function forbidden(): LabHttpResponse {
  return json(403, { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' });
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A connection string for logs: never with credentials. */
function redactMongoUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Meteor's Random.id(), which Rocket.Chat uses for message ids. */
function meteorId(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
  return Array.from({ length: 17 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

const WEB_CLIENT_HTML = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no" />
<title>Rocket.Chat</title>
</head>
<body>
<noscript>You need to enable JavaScript to run this app.</noscript>
</body>
</html>
`;
