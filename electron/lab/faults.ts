import { AppError } from '../../shared/contract/errors';
import type { HttpEndpoints } from './host/endpoints';
import type { LabHost } from './host/lab-host';
import { generateEd25519KeyPair } from './systems/rocketchat/hosts';

/**
 * The faults any scenario can switch on for a host, by name (FIELD-NOTES and the list):
 *
 * - `refuse`: the SSH port refuses connections (the host is down or firewalled);
 * - `hang`: commands print the start of their output, then never exit;
 * - `slow`: every command and SFTP session waits 3 s (lab time) before it runs;
 * - `flap`: the host's health endpoints alternate between their real answer and a 500, every
 *   10 s of lab time (HAProxy and the console see it come and go);
 * - `unhealthy`: the host's HTTP APIs (health endpoints and `/api/info`) answer 500 until it is
 *   switched off: a node that never comes back healthy after a restart;
 * - `disk-full`: the root file system has no space left (an upload fails half-way);
 * - `rekey`: the host presents a new host key (as after a reinstall); switching it off restores
 *   the original key.
 */

export const FAULT_KINDS = ['refuse', 'hang', 'slow', 'flap', 'unhealthy', 'disk-full', 'rekey'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const SLOW_COMMAND_MS = 3_000;
export const FLAP_PERIOD_MS = 10_000;

/** Paths the systems' health checks use; only these flap, the rest of the API keeps answering. */
const HEALTH_PATHS = new Set(['/health', '/healthz', '/livez', '/readyz', '/api/v1/public/system/health']);

export function isFaultKind(name: string): name is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(name);
}

/** One host's switchable faults; remembers what it changed so switching off restores it. */
export class HostFaults {
  readonly #host: LabHost;
  readonly #active = new Set<FaultKind>();
  #originalHostKey: string | undefined;
  #originalBaseUsed: number | undefined;
  #restoreHttp: (() => void) | undefined;

  constructor(host: LabHost) {
    this.#host = host;
  }

  get active(): FaultKind[] {
    return FAULT_KINDS.filter((kind) => this.#active.has(kind));
  }

  async set(kind: FaultKind, on: boolean): Promise<void> {
    if (this.#active.has(kind) === on) return;
    const host = this.#host;
    switch (kind) {
      case 'refuse':
        await host.setFaults({ refuse: on });
        break;
      case 'hang':
        await host.setFaults({ hang: on });
        break;
      case 'slow':
        await host.setFaults({ slowMs: on ? SLOW_COMMAND_MS : 0 });
        break;
      case 'flap':
        if (on) this.#restoreHttp = failHealth(host, () => Math.floor(host.clock.lab.labNow() / FLAP_PERIOD_MS) % 2 === 1, HEALTH_PATHS);
        else this.#restoreHttp?.();
        break;
      case 'unhealthy':
        if (on) this.#restoreHttp = failHealth(host, () => true, UNHEALTHY_PATHS);
        else this.#restoreHttp?.();
        break;
      case 'disk-full': {
        const mount = host.vfs.mountOf('/');
        if (on) {
          this.#originalBaseUsed = mount.baseUsedBytes;
          host.vfs.fill('/', 0);
        } else if (this.#originalBaseUsed !== undefined) {
          mount.baseUsedBytes = this.#originalBaseUsed;
        }
        break;
      }
      case 'rekey':
        if (on) {
          this.#originalHostKey = host.server.hostPrivateKey;
          host.server.changeHostKey(generateEd25519KeyPair().private);
        } else if (this.#originalHostKey !== undefined) {
          host.server.changeHostKey(this.#originalHostKey);
        }
        break;
    }
    if (on) this.#active.add(kind);
    else this.#active.delete(kind);
  }
}

/** `unhealthy` also fails the API a node's readiness is judged by. */
const UNHEALTHY_PATHS = new Set([...HEALTH_PATHS, '/api/info', '/cluster/nodes']);

/** Makes the host's health endpoints (`paths`) answer 500 while `down()` says so; returns the undo. */
function failHealth(host: LabHost, down: () => boolean, paths: ReadonlySet<string>): () => void {
  const endpoints: HttpEndpoints = host.http;
  const original = endpoints.request;
  endpoints.request = async (request, signal) => {
    if (paths.has(request.path) && endpoints.isListening(request.port) && down()) {
      return { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', message: 'health check failed' }) };
    }
    return original.call(endpoints, request, signal);
  };
  return () => {
    endpoints.request = original;
  };
}

export function unknownFault(name: string): AppError {
  return new AppError('INVALID_INPUT', `Unknown lab fault "${name}" (faults: ${FAULT_KINDS.join(', ')})`);
}
