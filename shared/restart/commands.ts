import type { Host, ServiceRun } from '../inventory/schema';

/** Argv builders for restart steps. Every value stays one argv element; nothing is concatenated into shell text. */

/** Through `sudo -n` unless the inventory user is root: a password prompt fails fast instead of hanging. */
export function asRoot(host: Host, argv: readonly string[]): string[] {
  return host.user === 'root' ? [...argv] : ['sudo', '-n', '--', ...argv];
}

/** A command run where the service runs: on the host, in its container, or through its wrapper. */
export function inServiceArgv(run: ServiceRun, argv: readonly string[]): string[] {
  switch (run.kind) {
    case 'systemd':
      return [...argv];
    case 'docker':
      return ['docker', 'exec', run.container, ...argv];
    case 'wrapped':
      return [...run.wrapper, ...argv];
  }
}

/** How the service is restarted; undefined for a wrapped service that names no unit (nothing to restart it with). */
export function restartArgv(host: Host, run: ServiceRun): string[] | undefined {
  switch (run.kind) {
    case 'systemd':
      return asRoot(host, ['systemctl', 'restart', run.unit]);
    case 'docker':
      return asRoot(host, ['docker', 'restart', run.container]);
    case 'wrapped':
      return run.unit === undefined ? undefined : [...run.wrapper, 'systemctl', 'restart', run.unit];
  }
}

/**
 * Sets `plugins.vmq_bridge` in vernemq.conf: a fixed script, the file and the value arrive as
 * "$1" and "$2". Writing back through `cat >` keeps the file's owner and mode.
 */
export const VMQ_BRIDGE_CONFIG_SCRIPT =
  'grep -v "^ *plugins\\.vmq_bridge *=" "$1" > "$1.switchboard"; echo "plugins.vmq_bridge = $2" >> "$1.switchboard" && cat "$1.switchboard" > "$1" && rm -f "$1.switchboard"';

export function vmqBridgeConfigArgv(host: Host, run: ServiceRun, configPath: string, value: 'on' | 'off'): string[] {
  return asRoot(host, inServiceArgv(run, ['sh', '-c', VMQ_BRIDGE_CONFIG_SCRIPT, 'sh', configPath, value]));
}

/** Exits 0 when vmq_bridge is among the enabled plugins. */
export const VMQ_BRIDGE_ENABLED_SCRIPT = 'vmq-admin plugin show | grep -q vmq_bridge';
