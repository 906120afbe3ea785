import { randomBytes } from 'node:crypto';
import type { LabHttpResponse } from '../../host/endpoints';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';
import type { CommandHandler } from '../../host/shell';
import { CADDYFILE, caddyUpstreamPort, VOMS_CONFIG, VOMS_HEALTH_PATH, VOMS_PORTS, VOMS_UNITS } from './layout';

/**
 * What the VOMS host's programs do in the lab (a SIMULATION; FIELD-NOTES §4): the server's health
 * depends on PostgreSQL, Redis and NATS being up and on its own build; the workers need NATS;
 * Caddy proxies to the port its Caddyfile names, as read when it started.
 */

const json = (status: number, body: unknown): LabHttpResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** Serves `port` while `serving()` holds, for this run of the process only. */
function serveDuringRun(host: LabHost, ctx: ProcessContext, port: number, handler: Parameters<LabHost['http']['register']>[1], serving: () => boolean): void {
  const close = host.http.register(port, handler, { listening: serving });
  ctx.signal.addEventListener('abort', close);
}

const dependencies = [
  { check: 'database', unit: VOMS_UNITS.postgresql, port: VOMS_PORTS.postgres },
  { check: 'redis', unit: VOMS_UNITS.redis, port: VOMS_PORTS.redis },
  { check: 'nats', unit: VOMS_UNITS.nats, port: VOMS_PORTS.nats },
] as const;

export function vomsServerBehaviour(host: LabHost): ProcessBehaviour {
  return {
    start(ctx) {
      const build = ctx.manifest!;
      let port: number = VOMS_PORTS.http;
      try {
        const config = JSON.parse(host.vfs.readFile(VOMS_CONFIG).toString('utf8')) as { http?: { port?: number } };
        port = config.http?.port ?? port;
      } catch (error) {
        ctx.log(`FATAL failed to load config ${VOMS_CONFIG}: ${error instanceof Error ? error.message : String(error)}`, 2);
        ctx.exit(1);
        return;
      }
      let serving = false;
      const startedAt = ctx.clock.now();
      serveDuringRun(host, ctx, port, (request) => {
        if (request.path !== VOMS_HEALTH_PATH) return json(404, { error: 'not found' });
        const base = { version: build.version, time: new Date(ctx.clock.now()).toISOString(), uptimeSeconds: Math.floor((ctx.clock.now() - startedAt) / 1000) };
        if (build.health === 'error') {
          const error = String(build.extra?.migrationError ?? 'startup failed');
          return json(500, { status: 'error', ...base, checks: { database: { status: 'down', error }, redis: { status: 'up' }, nats: { status: 'up' } } });
        }
        const checks = Object.fromEntries(
          dependencies.map((dependency) => [
            dependency.check,
            host.services.unit(dependency.unit).running
              ? { status: 'up' }
              : { status: 'down', error: `dial tcp 127.0.0.1:${dependency.port}: connect: connection refused` },
          ]),
        );
        const healthy = Object.values(checks).every((check) => check.status === 'up');
        return json(healthy ? 200 : 503, { status: healthy ? 'ok' : 'degraded', ...base, checks });
      }, () => serving);

      const up = () => {
        serving = true;
        if (build.health === 'error') ctx.log(`ERROR ${String(build.extra?.migrationError)} (voms_schema_migrations is dirty)`, 3);
      };
      if (ctx.resumed) up();
      else {
        ctx.log(`INFO voms-server ${build.version} starting (config ${VOMS_CONFIG})`);
        ctx.after(build.startupMs ?? 1_000, () => {
          ctx.log(`INFO listening on 127.0.0.1:${port}`);
          up();
        });
      }
      const crash = build.crash;
      if (crash) {
        ctx.after(crash.afterMs, () => {
          for (const line of crash.lines ?? []) ctx.log(line, 2);
          ctx.exit(crash.status);
        });
      }
    },
  };
}

/** `voms-worker consumer|scheduler`: works while NATS is up, complains while it is not. */
export function vomsWorkerBehaviour(host: LabHost, role: 'consumer' | 'scheduler'): ProcessBehaviour {
  const everyMs = role === 'consumer' ? 30_000 : 60_000;
  return {
    start(ctx) {
      if (!ctx.resumed) ctx.log(`INFO voms-worker ${ctx.manifest?.version ?? ''} ${role} starting`);
      let tick = 0;
      const work = () => {
        tick += 1;
        if (!host.services.unit(VOMS_UNITS.nats).running) {
          ctx.log(`ERROR nats: no servers available for connection (nats://127.0.0.1:${VOMS_PORTS.nats})`, 3);
        } else if (role === 'consumer') {
          ctx.log(`INFO consumed ${12 + (tick % 9)} messages from stream VOMS_EVENTS (durable voms-consumer), pending 0`);
        } else {
          ctx.log(`INFO scheduled job device-heartbeat-sweep: ${tick % 3} devices marked offline`);
        }
        ctx.after(everyMs, work);
      };
      if (ctx.resumed) ctx.after(everyMs, work);
      else
        ctx.after(ctx.manifest?.startupMs ?? 500, () => {
          ctx.ready();
          work();
        });
    },
  };
}

/** Caddy: proxies everything on :80 to the upstream its Caddyfile named at start; 502 when that does not answer. */
export function caddyBehaviour(host: LabHost): ProcessBehaviour {
  return {
    start(ctx) {
      let upstream: number | undefined;
      try {
        upstream = caddyUpstreamPort(host.vfs.readFile(CADDYFILE).toString('utf8'));
      } catch {
        upstream = undefined;
      }
      if (upstream === undefined) {
        ctx.log(`Error: loading initial config: ${CADDYFILE}: no reverse_proxy upstream`, 3);
        ctx.exit(1);
        return;
      }
      const port = upstream;
      serveDuringRun(host, ctx, VOMS_PORTS.caddy, async (request, signal): Promise<LabHttpResponse> => {
        const response = await host.http.request({ ...request, port }, signal);
        if (response) return { ...response, headers: { ...response.headers, via: '1.1 Caddy' } };
        ctx.log(
          JSON.stringify({
            level: 'error',
            ts: ctx.clock.now() / 1000,
            logger: 'http.log.error',
            msg: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
            request: { remote_ip: '127.0.0.1', proto: 'HTTP/1.1', method: request.method, host: request.headers.host ?? 'localhost', uri: request.path },
            status: 502,
            err_id: randomBytes(5).toString('hex').slice(0, 9),
            err_trace: 'reverseproxy.statusError (reverseproxy.go:1299)',
          }),
          3,
        );
        return { status: 502, headers: { server: 'Caddy' }, body: '' };
      }, () => true);
      if (ctx.resumed) return;
      ctx.log(JSON.stringify({ level: 'info', ts: ctx.clock.now() / 1000, msg: 'serving initial configuration' }));
      ctx.after(ctx.manifest?.startupMs ?? 300, () => ctx.ready());
    },
  };
}

/** NATS monitoring on 8222 (the answers nats-server 2.10 gives). */
export function natsMonitor(host: LabHost): Parameters<LabHost['http']['register']>[1] {
  const serverId = 'NDJWE4SHZ3VLQ2OJXHCIVMGDRZ7ZJ4L3MZK6XNQTBSP2A5LCYQ3VXD4E';
  return (request) => {
    switch (request.path) {
      case '/healthz':
        return json(200, { status: 'ok' });
      case '/jsz':
        return json(200, {
          server_id: serverId,
          now: new Date(host.clock.now()).toISOString(),
          config: { max_memory: 6_231_638_016, max_storage: 41_489_707_008, store_dir: '/var/lib/nats/jetstream' },
          memory: 0,
          storage: 1_835_412,
          reserved_memory: 0,
          reserved_storage: 0,
          accounts: 1,
          ha_assets: 0,
          api: { total: 412, errors: 0 },
          streams: 1,
          consumers: 2,
          messages: 9_731,
          bytes: 1_835_412,
        });
      default:
        return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' };
    }
  };
}

/** `redis-cli ping` and `pg_isready`, answering from the units' state. */
export function redisCli(host: LabHost): CommandHandler {
  return (ctx) => {
    const words = ctx.argv.slice(1).filter((word, index, all) => !word.startsWith('-') && !all[index - 1]?.match(/^-[hpna]$/));
    if (words.join(' ').toLowerCase() !== 'ping') {
      ctx.stderr.write('redis-cli: the lab answers only `redis-cli ping`\n');
      return 1;
    }
    if (!host.services.unit(VOMS_UNITS.redis).running) {
      ctx.stderr.write(`Could not connect to Redis at 127.0.0.1:${VOMS_PORTS.redis}: Connection refused\n`);
      return 1;
    }
    ctx.stdout.write('PONG\n');
    return 0;
  };
}

export function pgIsready(host: LabHost): CommandHandler {
  return (ctx) => {
    const up = host.services.unit(VOMS_UNITS.postgresql).running;
    ctx.stdout.write(`/var/run/postgresql:${VOMS_PORTS.postgres} - ${up ? 'accepting connections' : 'no response'}\n`);
    return up ? 0 : 2;
  };
}
