import type { HttpEndpoints, LabHttpRequest, LabHttpResponse } from '../../host/endpoints';
import { labBinary } from '../../host/lab-binary';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';

/**
 * HAProxy 2.6 (Debian 12) in front of the Rocket.Chat nodes: a `haproxy` unit, health checks
 * of every server (`option httpchk GET /health`, inter 2s, rise 2, fall 3), an HTTP frontend
 * that round-robins over the servers that are UP and not drained, and the runtime API on the
 * admin socket (`show stat` CSV with 2.6's columns, `set server B/S state ready|drain|maint`,
 * `enable|disable server`, `show info`). Runtime state set through the socket lives in the
 * process: a restart goes back to the configuration's state, as on a real host.
 */

export interface HaproxyServerTarget {
  /** Server name in the backend (`rc1`); the inventory host of the same name. */
  name: string;
  /** Address in the configuration (`10.10.0.11`). */
  address: string;
  port: number;
  /** The node's HTTP endpoints, reached by the checks and the frontend. */
  endpoints: () => HttpEndpoints | undefined;
}

export interface HaproxyOptions {
  host: LabHost;
  servers: HaproxyServerTarget[];
  frontend?: string;
  backend?: string;
  socketPath?: string;
  frontendPort?: number;
  checkPath?: string;
  interMs?: number;
  rise?: number;
  fall?: number;
}

type AdminState = 'ready' | 'drain' | 'maint';

interface CheckResult {
  status: 'L4CON' | 'L7OK' | 'L7STS' | 'L7RSP';
  code?: number;
  description: string;
  /** `last_chk`: what the check saw, e.g. `Connection refused`. */
  info: string;
  durationMs: number;
}

interface Counters {
  stot: number;
  lbtot: number;
  hrsp: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other', number>;
}

interface ServerState {
  target: HaproxyServerTarget;
  admin: AdminState;
  up: boolean;
  /** HAProxy's check health counter: 0..rise-1 while down, rise..rise+fall-1 while up. */
  health: number;
  lastChangeMs: number;
  downSinceMs: number | undefined;
  downtimeMs: number;
  chkfail: number;
  chkdown: number;
  check: CheckResult | undefined;
  counters: Counters;
}

export const HAPROXY_SOCKET = '/run/haproxy/admin.sock';
export const HAPROXY_VERSION = '2.6.12-1+deb12u1';

export class HaproxySimulator {
  readonly host: LabHost;
  readonly frontend: string;
  readonly backend: string;
  readonly socketPath: string;
  readonly frontendPort: number;
  readonly #targets: HaproxyServerTarget[];
  readonly #checkPath: string;
  readonly #interMs: number;
  readonly #rise: number;
  readonly #fall: number;
  #runtime: { ctx: ProcessContext; workerPid: number; startedMs: number; servers: ServerState[]; frontend: Counters; backend: Counters; nextServer: number } | undefined;

  constructor(options: HaproxyOptions) {
    this.host = options.host;
    this.#targets = options.servers;
    this.frontend = options.frontend ?? 'rocketchat_front';
    this.backend = options.backend ?? 'rocketchat_back';
    this.socketPath = options.socketPath ?? HAPROXY_SOCKET;
    this.frontendPort = options.frontendPort ?? 80;
    this.#checkPath = options.checkPath ?? '/health';
    this.#interMs = options.interMs ?? 2_000;
    this.#rise = options.rise ?? 2;
    this.#fall = options.fall ?? 3;
  }

  /** The configuration, the unit, and the frontend port; the process runs since `sinceMs`. */
  install(sinceMs: number): void {
    const { host } = this;
    host.vfs.writeFile('/usr/sbin/haproxy', labBinary({ program: 'haproxy', version: HAPROXY_VERSION, versionOutput: `HAProxy version ${HAPROXY_VERSION} 2023/03/23 - https://haproxy.org/` }), { mode: 0o755 });
    host.vfs.mkdir('/etc/haproxy', { parents: true });
    host.vfs.writeFile('/etc/haproxy/haproxy.cfg', this.#config());
    host.services.install({
      name: 'haproxy',
      unitText: [
        '[Unit]',
        'Description=HAProxy Load Balancer',
        'Documentation=man:haproxy(1)',
        'Documentation=file:/usr/share/doc/haproxy/configuration.txt.gz',
        'After=network-online.target rsyslog.service',
        'Wants=network-online.target',
        '',
        '[Service]',
        'ExecStart=/usr/sbin/haproxy -Ws -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -S /run/haproxy-master.sock',
        'KillMode=mixed',
        'Restart=always',
        'SuccessExitStatus=143',
        'Type=notify',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
      behaviour: this.#behaviour,
    });
    host.http.register(this.frontendPort, (request, signal) => this.#proxy(request, signal), { listening: () => this.#runtime !== undefined });
    host.services.bootstrap('haproxy', sinceMs);
  }

  /** The status column of each server, as `show stat` prints it (for tests and waits). */
  serverStatus(): Record<string, string> {
    return Object.fromEntries((this.#runtime?.servers ?? []).map((server) => [server.target.name, this.#statusText(server)]));
  }

  /** What the admin socket answers to `input` (one or more commands separated by `;` or newlines). */
  answer(input: string): string {
    const commands = input.split(/[;\n]/).map((command) => command.trim()).filter((command) => command !== '');
    return commands.map((command) => this.#command(command)).join('');
  }

  readonly #behaviour: ProcessBehaviour = {
    start: (ctx) => {
      const workerPid = ctx.pid + 1 + Math.floor(Math.random() * 3);
      const startedMs = ctx.clock.now();
      const counters = (): Counters => ({ stot: 0, lbtot: 0, hrsp: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 } });
      const runtime = {
        ctx,
        workerPid,
        startedMs,
        // Runtime state (drain, maint) comes from the configuration again on every start.
        servers: this.#targets.map((target): ServerState => ({
          target, admin: 'ready', up: true, health: this.#rise + this.#fall - 1, lastChangeMs: startedMs,
          downSinceMs: undefined, downtimeMs: 0, chkfail: 0, chkdown: 0, check: undefined, counters: counters(),
        })),
        frontend: counters(),
        backend: counters(),
        nextServer: 0,
      };
      this.#runtime = runtime;
      const unregister = this.host.sockets.register(this.socketPath, (input) => this.answer(input), {
        mode: 0o660, uid: 0, gid: this.host.accounts.groupId('haproxy') ?? 0,
      });
      ctx.signal.addEventListener('abort', () => {
        unregister();
        if (this.#runtime === runtime) this.#runtime = undefined;
      });
      if (!ctx.resumed) {
        ctx.log(`[NOTICE]   (${ctx.pid}) : New worker (${workerPid}) forked`);
        ctx.log(`[NOTICE]   (${ctx.pid}) : Loading success.`);
      }
      ctx.ready();
      this.#scheduleChecks(runtime.servers, ctx);
    },
    stop: (ctx) => {
      ctx.log(`[NOTICE]   (${ctx.pid}) : haproxy version is ${HAPROXY_VERSION}`);
      ctx.log(`[WARNING]  (${ctx.pid}) : Exiting Master process...`);
      ctx.after(100, () => ctx.exit(0));
    },
  };

  // ---- health checks ------------------------------------------------------------

  #scheduleChecks(servers: ServerState[], ctx: ProcessContext): void {
    ctx.after(this.#interMs, () => {
      void Promise.all(servers.map((server) => this.#checkServer(server, ctx))).finally(() => this.#scheduleChecks(servers, ctx));
    });
  }

  async #checkServer(server: ServerState, ctx: ProcessContext): Promise<void> {
    if (server.admin === 'maint') return;
    const result = await this.#probe(server.target, ctx.signal);
    if (ctx.signal.aborted) return;
    server.check = result;
    const max = this.#rise + this.#fall - 1;
    if (result.status === 'L7OK') {
      if (server.health < max) server.health += 1;
      if (!server.up && server.health >= this.#rise) {
        server.health = max;
        this.#setUp(server, true, ctx, result);
      }
      return;
    }
    if (!server.up) {
      server.health = 0;
      return;
    }
    server.chkfail += 1;
    if (server.health > this.#rise) {
      server.health -= 1;
      return;
    }
    server.health = 0;
    this.#setUp(server, false, ctx, result);
  }

  async #probe(target: HaproxyServerTarget, signal: AbortSignal): Promise<CheckResult> {
    const endpoints = target.endpoints();
    if (!endpoints || !endpoints.isListening(target.port)) {
      return { status: 'L4CON', description: 'Layer4 connection problem', info: 'Connection refused', durationMs: 0 };
    }
    try {
      const response = await endpoints.request(
        { method: 'GET', path: this.#checkPath, query: new URLSearchParams(), headers: { host: `${target.address}:${target.port}`, 'user-agent': 'HAProxy' }, body: Buffer.alloc(0), port: target.port },
        signal,
      );
      if (!response) return { status: 'L4CON', description: 'Layer4 connection problem', info: 'Connection refused', durationMs: 0 };
      if (response.status >= 200 && response.status < 400) {
        return { status: 'L7OK', code: response.status, description: 'Layer7 check passed', info: '', durationMs: 1 };
      }
      return { status: 'L7STS', code: response.status, description: 'Layer7 wrong status', info: reasonPhrase(response.status), durationMs: 1 };
    } catch {
      return { status: 'L7RSP', description: 'Layer7 invalid response', info: '', durationMs: 0 };
    }
  }

  #setUp(server: ServerState, up: boolean, ctx: ProcessContext, check: CheckResult): void {
    const runtime = this.#runtime;
    if (!runtime) return;
    const now = ctx.clock.now();
    server.up = up;
    server.lastChangeMs = now;
    const name = `${this.backend}/${server.target.name}`;
    const active = runtime.servers.filter((candidate) => candidate.up && candidate.admin !== 'maint').length;
    const duration = `check duration: ${check.durationMs}ms`;
    if (up) {
      if (server.downSinceMs !== undefined) server.downtimeMs += now - server.downSinceMs;
      server.downSinceMs = undefined;
      ctx.log(`[WARNING]  (${runtime.workerPid}) : Server ${name} is UP, reason: ${check.description}, code: ${check.code ?? 200}, ${duration}. ${active} active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`, 4);
    } else {
      server.downSinceMs = now;
      server.chkdown += 1;
      const info = check.info === '' ? '' : `, info: "${check.info}"`;
      const code = check.code === undefined ? '' : `, code: ${check.code}`;
      ctx.log(`[WARNING]  (${runtime.workerPid}) : Server ${name} is DOWN, reason: ${check.description}${info}${code}, ${duration}. ${active} active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`, 4);
      if (active === 0) ctx.log(`[ALERT]    (${runtime.workerPid}) : backend '${this.backend}' has no server available!`, 3);
    }
  }

  // ---- the runtime API --------------------------------------------------------------

  #command(line: string): string {
    const args = line.split(/\s+/);
    const [verb, object] = args;
    if (verb === 'show' && object === 'stat') return this.#showStat();
    if (verb === 'show' && object === 'info') return this.#showInfo();
    if (verb === 'set' && object === 'server') return this.#setServer(args.slice(2));
    if ((verb === 'enable' || verb === 'disable') && object === 'server') {
      const found = this.#findServer(args[2]);
      if (typeof found === 'string') return `${found}\n`;
      this.#setAdmin(found, verb === 'enable' ? 'ready' : 'maint');
      return '\n';
    }
    if (verb === 'prompt' || verb === 'quit') return '';
    return UNKNOWN_COMMAND;
  }

  #setServer(args: string[]): string {
    const found = this.#findServer(args[0]);
    if (typeof found === 'string') return `${found}\n`;
    if (args[1] !== 'state') {
      return 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n';
    }
    const state = args[2];
    if (state !== 'ready' && state !== 'drain' && state !== 'maint') return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n";
    this.#setAdmin(found, state);
    return '\n';
  }

  #findServer(reference: string | undefined): ServerState | string {
    if (!reference) return "Require 'backend/server'.\n";
    const slash = reference.indexOf('/');
    if (slash < 0) return "Require 'backend/server'.\n";
    const backend = reference.slice(0, slash);
    const name = reference.slice(slash + 1);
    if (backend !== this.backend && backend !== '#3') return 'No such backend.\n';
    const server = this.#runtime?.servers.find((candidate) => candidate.target.name === name);
    return server ?? 'No such server.\n';
  }

  #setAdmin(server: ServerState, state: AdminState): void {
    const runtime = this.#runtime;
    if (!runtime || server.admin === state) return;
    const previous = server.admin;
    server.admin = state;
    const name = `${this.backend}/${server.target.name}`;
    const now = runtime.ctx.clock.now();
    const active = (): number => runtime.servers.filter((candidate) => candidate.up && candidate.admin !== 'maint').length;
    if (state === 'maint') {
      server.lastChangeMs = now;
      if (server.up) server.downSinceMs = now;
      runtime.ctx.log(`[WARNING]  (${runtime.workerPid}) : Server ${name} is going DOWN for maintenance. ${active()} active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`, 4);
    } else if (previous === 'maint') {
      // Checks resume from the bottom of the "up" range: one failure takes it down again.
      server.up = true;
      server.health = this.#rise;
      server.lastChangeMs = now;
      if (server.downSinceMs !== undefined) server.downtimeMs += now - server.downSinceMs;
      server.downSinceMs = undefined;
      runtime.ctx.log(`[WARNING]  (${runtime.workerPid}) : Server ${name} is UP (leaving forced maintenance).`, 4);
    }
    if (state === 'drain') runtime.ctx.log(`[WARNING]  (${runtime.workerPid}) : Server ${name} enters drain state.`, 4);
  }

  /** The `status` column (stats.c's srv_hlt_st). */
  #statusText(server: ServerState): string {
    if (server.admin === 'maint') return 'MAINT';
    const max = this.#rise + this.#fall - 1;
    if (!server.up) return server.health === 0 ? 'DOWN' : `DOWN ${server.health}/${this.#rise}`;
    const word = server.admin === 'drain' ? 'DRAIN' : 'UP';
    return server.health >= max ? word : `${word} ${server.health - this.#rise + 1}/${this.#fall}`;
  }

  #usable(server: ServerState): boolean {
    return server.up && server.admin === 'ready';
  }

  #showStat(): string {
    const runtime = this.#runtime;
    if (!runtime) return '\n';
    const now = runtime.ctx.clock.now();
    const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));
    const frontend = statRow(FRONTEND_TEMPLATE, {
      pxname: this.frontend, stot: runtime.frontend.stot, req_tot: runtime.frontend.stot, conn_tot: runtime.frontend.stot, ...hrspColumns(runtime.frontend),
    });
    const servers = runtime.servers.map((server, index) => {
      const check = server.check;
      const downtime = server.downtimeMs + (server.downSinceMs === undefined ? 0 : now - server.downSinceMs);
      const maint = server.admin === 'maint';
      return statRow(SERVER_TEMPLATE, {
        pxname: this.backend,
        svname: server.target.name,
        status: this.#statusText(server),
        stot: server.counters.stot,
        lbtot: server.counters.lbtot,
        chkfail: server.chkfail,
        chkdown: server.chkdown,
        lastchg: seconds(now - server.lastChangeMs),
        downtime: seconds(downtime),
        sid: index + 1,
        check_status: maint || !check ? (maint ? '' : 'L7OK') : check.status,
        check_code: maint ? '' : check?.code ?? (check ? '' : 200),
        check_duration: maint ? '' : check?.durationMs ?? 0,
        last_chk: maint ? '' : check?.info ?? '',
        check_desc: maint ? '' : check?.description ?? 'Layer7 check passed',
        check_health: server.health,
        addr: `${server.target.address}:${server.target.port}`,
        need_conn_est: maint ? 0 : 1,
        ...hrspColumns(server.counters),
      });
    });
    const usable = runtime.servers.filter((server) => this.#usable(server));
    const backendUp = runtime.servers.some((server) => server.up && server.admin !== 'maint');
    const backend = statRow(BACKEND_TEMPLATE, {
      pxname: this.backend,
      status: backendUp ? 'UP' : 'DOWN',
      weight: usable.length,
      act: usable.length,
      stot: runtime.backend.stot,
      lbtot: runtime.backend.lbtot,
      lastchg: seconds(now - Math.max(runtime.startedMs, ...runtime.servers.map((server) => server.lastChangeMs))),
      uweight: usable.length,
      ...hrspColumns(runtime.backend),
      ...Object.fromEntries(['h1_open_connections', 'h1_open_streams', 'h1_total_connections', 'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out'].map((name) => [name, 0])),
    });
    return `# ${STAT_HEADER.join(',')}\n${[frontend, ...servers, backend].join('\n')}\n\n`;
  }

  #showInfo(): string {
    const runtime = this.#runtime;
    if (!runtime) return '\n';
    const uptime = Math.floor((runtime.ctx.clock.now() - runtime.startedMs) / 1000);
    const days = Math.floor(uptime / 86_400);
    const clock = new Date(uptime * 1000).toISOString().slice(11, 19).replace(/^(\d\d):(\d\d):(\d\d)$/, '$1h$2m$3s');
    return [
      'Name: HAProxy',
      `Version: ${HAPROXY_VERSION}`,
      'Release_date: 2023/03/23',
      'Nbthread: 2',
      'Nbproc: 1',
      'Process_num: 1',
      `Pid: ${runtime.workerPid}`,
      `Uptime: ${days}d ${clock}`,
      `Uptime_sec: ${uptime}`,
      'Maxsock: 524288',
      'Maxconn: 262122',
      `CumConns: ${runtime.frontend.stot}`,
      `CumReq: ${runtime.frontend.stot}`,
      '',
      '',
    ].join('\n');
  }

  // ---- the frontend -------------------------------------------------------------------

  async #proxy(request: LabHttpRequest, signal: AbortSignal): Promise<LabHttpResponse> {
    const runtime = this.#runtime;
    if (!runtime) return { status: 503, body: NO_SERVER_HTML };
    runtime.frontend.stot += 1;
    const usable = runtime.servers.filter((server) => this.#usable(server));
    if (usable.length === 0) return this.#count(runtime.frontend, { status: 503, headers: { 'content-type': 'text/html', 'cache-control': 'no-cache' }, body: NO_SERVER_HTML });
    const server = usable[runtime.nextServer % usable.length]!;
    runtime.nextServer += 1;
    runtime.backend.stot += 1;
    runtime.backend.lbtot += 1;
    server.counters.stot += 1;
    server.counters.lbtot += 1;
    const endpoints = server.target.endpoints();
    const response = endpoints ? await endpoints.request({ ...request, port: server.target.port }, signal).catch(() => undefined) : undefined;
    const answer = response ?? { status: 503, headers: { 'content-type': 'text/html', 'cache-control': 'no-cache' }, body: NO_SERVER_HTML };
    this.#count(server.counters, answer);
    this.#count(runtime.backend, answer);
    return this.#count(runtime.frontend, answer);
  }

  #count(counters: Counters, response: LabHttpResponse): LabHttpResponse {
    const family = Math.floor(response.status / 100);
    const key = family >= 1 && family <= 5 ? (`${family}xx` as keyof Counters['hrsp']) : 'other';
    counters.hrsp[key] += 1;
    return response;
  }

  #config(): string {
    return [
      'global',
      '\tlog /dev/log\tlocal0',
      '\tlog /dev/log\tlocal1 notice',
      '\tchroot /var/lib/haproxy',
      `\tstats socket ${this.socketPath} mode 660 level admin`,
      '\tstats timeout 30s',
      '\tuser haproxy',
      '\tgroup haproxy',
      '\tdaemon',
      '',
      'defaults',
      '\tlog\tglobal',
      '\tmode\thttp',
      '\toption\thttplog',
      '\toption\tdontlognull',
      '\ttimeout connect 5000',
      '\ttimeout client  50000',
      '\ttimeout server  50000',
      '',
      `frontend ${this.frontend}`,
      `\tbind *:${this.frontendPort}`,
      `\tdefault_backend ${this.backend}`,
      '',
      `backend ${this.backend}`,
      '\tbalance roundrobin',
      `\toption httpchk GET ${this.#checkPath}`,
      `\tdefault-server inter ${this.#interMs / 1000}s rise ${this.#rise} fall ${this.#fall}`,
      ...this.#targets.map((target) => `\tserver ${target.name} ${target.address}:${target.port} check`),
      '',
    ].join('\n');
  }
}

function hrspColumns(counters: Counters): Record<string, number> {
  return Object.fromEntries(Object.entries(counters.hrsp).map(([family, count]) => [`hrsp_${family}`, count]));
}

function reasonPhrase(status: number): string {
  const phrases: Record<number, string> = { 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
  return phrases[status] ?? `HTTP status ${status}`;
}

/** The columns of HAProxy 2.6.12's `show stat` (captured; see shared/stacks/parsers/fixtures/haproxy). */
const STAT_HEADER = (
  'pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,' +
  'chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,' +
  'check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,' +
  'srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,' +
  'agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,' +
  'algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,' +
  'qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,' +
  'agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,' +
  'h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,' +
  'h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,' +
  'h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,' +
  'h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,'
).split(',');

// Rows captured from HAProxy 2.6.12 (a frontend, an UP server, a backend): each row printed here
// is one of these with the columns the simulation tracks replaced.
const FRONTEND_TEMPLATE =
  'rocketchat_front,FRONTEND,,,0,0,9982,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,0,0,0,0,0,0,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,0,0,0,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,';
const SERVER_TEMPLATE =
  'rocketchat,rc1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,4,0,,1,3,1,,0,,2,0,,0,L7OK,200,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:18081,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,';
const BACKEND_TEMPLATE =
  'rocketchat,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,UP,2,2,0,,0,4,0,,1,3,0,,0,,1,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,0,0,0,0,,,0,0,0,0,0,,,,,2,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,39,39,2345,696,0,0,';

/** A template row with some columns replaced by name (HAProxy's CSV never quotes these values). */
function statRow(template: string, values: Record<string, string | number>): string {
  const fields = template.split(',');
  for (const [name, value] of Object.entries(values)) {
    const index = STAT_HEADER.indexOf(name);
    if (index < 0) throw new Error(`no stat column ${name}`);
    fields[index] = String(value);
  }
  return fields.join(',');
}

const UNKNOWN_COMMAND =
  'Unknown command, but maybe one of the following ones is a better match:\n' +
  '  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n' +
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n\n';

const NO_SERVER_HTML = '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n';
