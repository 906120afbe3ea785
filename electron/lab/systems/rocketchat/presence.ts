import type { Container } from '../../host/containers';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';

/**
 * Rocket.Chat's presence micro-service as it usually runs: a container of
 * `rocketchat/presence-service:TAG` (a Moleculer service) with MONGO_URL and TRANSPORTER, its
 * `/health` published on the host (FIELD-NOTES §1). Each container has its own instance id.
 */

export const PRESENCE_PORT = 3031;

export interface PresenceOptions {
  host: LabHost;
  /** Container name, e.g. `presence-1`. */
  name: string;
  /** Image tag; the field advice is to run the same tag as Rocket.Chat. */
  tag: string;
  mongoUrl: string;
  transporter?: string;
  port?: number;
  /** Host time the container has been running since. */
  sinceMs: number;
}

export function installPresence(options: PresenceOptions): Container {
  const port = options.port ?? PRESENCE_PORT;
  const behaviour: ProcessBehaviour = {
    start(ctx) {
      if (ctx.resumed) {
        ctx.ready();
        return;
      }
      const log = moleculerLog(ctx, options.name);
      log('BROKER', 'Moleculer v0.14.34 is starting...');
      log('BROKER', `Namespace: <not defined>.`);
      log('BROKER', `Node ID: ${options.name}-${ctx.pid}`);
      log('BROKER', 'Transporter: NatsTransporter');
      log('TRANSIT', 'Connecting to the transporter...');
      ctx.after(1_500, () => {
        log('TRANSPORTER', 'NATS client v2 is connected.');
        log('REGISTRY', "'presence' service is registered.");
        log('BROKER', '✔ ServiceBroker with 1 service(s) started successfully in 1502ms.');
        ctx.ready();
      });
    },
  };
  const container = options.host.containers.add({
    name: options.name,
    image: `rocketchat/presence-service:${options.tag}`,
    command: ['docker-entrypoint.sh', 'node', 'src/service.js'],
    env: [`MONGO_URL=${options.mongoUrl}`, `TRANSPORTER=${options.transporter ?? 'nats://nats:4222'}`, `PORT=${port}`, 'NODE_ENV=production'],
    labels: { 'com.docker.compose.project': 'rocketchat', 'com.docker.compose.service': options.name },
    ports: [{ containerPort: port, hostPort: port }],
    restartPolicy: 'unless-stopped',
    createdAtMs: options.sinceMs - 60_000,
    runningSinceMs: options.sinceMs,
    behaviour,
  });
  options.host.http.register(port, () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }), {
    listening: () => container.running && container.healthy,
  });
  return container;
}

/** Moleculer's default console logger: `[time] LEVEL nodeID/MODULE: message`. */
function moleculerLog(ctx: ProcessContext, nodeName: string): (module: string, message: string) => void {
  return (module, message) => ctx.log(`[${new Date(ctx.clock.now()).toISOString()}] INFO  ${nodeName}-${ctx.pid}/${module}: ${message}`);
}
