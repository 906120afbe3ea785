import type { ServiceRun } from '../inventory/schema';

/**
 * The params of the step kinds a restart plan uses. The planner writes them, the executors
 * and checks in `electron/core/restart/kinds.ts` read them; both sides import these types.
 * Every command is an argv: the SSH layer quotes each element.
 */

/** `ssh.exec`: runs argv on `host` (the executor adds nothing: sudo is already in argv when needed). */
export interface SshExecParams {
  host: string;
  argv: string[];
}

export interface HaproxyTarget {
  /** The load balancer host whose admin socket is used. */
  host: string;
  socket: string;
  backend: string;
  server: string;
}

/** `haproxy.setState`: `set server BACKEND/SERVER state STATE` on every target's admin socket. */
export interface HaproxySetStateParams {
  targets: HaproxyTarget[];
  state: 'ready' | 'drain' | 'maint';
  /** Whether the LB hosts need sudo to reach the socket. */
  sudo: Record<string, boolean>;
}

/** `haproxy.state`: every target's `status` column (base state) is `status`. */
export interface HaproxyStateParams {
  targets: HaproxyTarget[];
  status: 'UP' | 'DRAIN' | 'MAINT';
  sudo: Record<string, boolean>;
}

/** `unit.active`: the service runs again (a new main process / container start) and its health endpoint, if any, answers 2xx. */
export interface UnitActiveParams {
  host: string;
  run: ServiceRun;
  /** The marker (main PID, container start) before the restart: the check waits for a different one. */
  notMarker?: string;
  health?: { port: number; path: string };
}

/** `http.ok`: curl on `host` answers 2xx. */
export interface HttpOkParams {
  host: string;
  port: number;
  path: string;
  /** Wrapped services are called from inside their wrapper. */
  wrapper?: string[];
}

/** `command.ok`: argv exits 0 on `host`. */
export interface CommandOkParams {
  host: string;
  argv: string[];
}

/** `rocketchat.ready`: `/api/info` answers, a new instance is registered, the node's log since its start does not say read-only. */
export interface RocketchatReadyParams {
  host: string;
  port: number;
  run: ServiceRun;
  /** The names the node registers under in `instances`. */
  instanceNames: string[];
  /** Instance ids registered for the node before the restart: a new one proves the new process registered. */
  previousInstanceIds: string[];
}

/** `wukongim.ready`: restarted, `Server is ready` since the last start banner, and `/cluster/nodes` lists every member online with one leader. */
export interface WukongimReadyParams {
  host: string;
  port: number;
  run: ServiceRun;
  notMarker?: string;
  members: number[];
}

/** `vernemq.joined`: `vmq-admin cluster show` on `host` lists `node` and `peer` both Running. */
export interface VernemqJoinedParams {
  host: string;
  /** argv prefix that reaches vmq-admin where VerneMQ runs (sudo, docker exec, wrapper). */
  vmqAdmin: string[];
  node: string;
  peer: string;
}
