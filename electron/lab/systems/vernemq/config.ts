/**
 * VerneMQ's files on a lab node (a SIMULATION; FIELD-NOTES §3): `/etc/vernemq/vernemq.conf`
 * (cuttlefish `key = value` lines) and the release's `start_erl.data`.
 */

export const VERNEMQ_CONF = '/etc/vernemq/vernemq.conf';
export const VERNEMQ_CONSOLE_LOG = '/var/log/vernemq/console.log';
export const VERNEMQ_PID_FILE = '/run/vernemq/vernemq.pid';
export const VERNEMQ_ROOT = '/usr/lib/vernemq';
export const VERNEMQ_BINARY = '/usr/sbin/vernemq';
export const VERNEMQ_UNIT = 'vernemq.service';
export const VERNEMQ_HTTP_PORT = 8888;
export const VERNEMQ_VERSION = '2.0.0';
export const VERNEMQ_ERTS = '13.2.2.5';

export interface BridgeSpec {
  name: string;
  endpoint: string;
}

export interface VernemqConfig {
  nodename: string;
  bridgePlugin: boolean;
  preventNonemptyJoin: boolean;
  bridges: BridgeSpec[];
}

export function renderVernemqConf(nodename: string, options: { bridgePlugin: boolean }): string {
  return [
    '## VerneMQ configuration (rehearsal lab)',
    'accept_eula = yes',
    `nodename = ${nodename}`,
    'distributed_cookie = vmq',
    '',
    'listener.tcp.default = 0.0.0.0:1883',
    `listener.http.default = 127.0.0.1:${VERNEMQ_HTTP_PORT}`,
    'listener.vmq.clustering = 0.0.0.0:44053',
    'allow_anonymous = off',
    '',
    'plugins.vmq_passwd = on',
    'plugins.vmq_acl = on',
    `plugins.vmq_bridge = ${options.bridgePlugin ? 'on' : 'off'}`,
    'vmq_bridge.tcp.br0 = 10.42.0.1:1883',
    'vmq_bridge.tcp.br0.topic.1 = devices/# out 1',
    '',
    'log.console = file',
    `log.console.file = ${VERNEMQ_CONSOLE_LOG}`,
    '',
  ].join('\n');
}

/** The settings the lab honours; a line that is not `key = value` is an error, as cuttlefish has it. */
export function readVernemqConf(text: string): VernemqConfig {
  const values = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([A-Za-z0-9_.$-]+)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`vernemq.conf line ${index + 1}: syntax error: ${line}`);
    values.set(match[1]!, match[2]!.trim());
  });
  const nodename = values.get('nodename');
  if (!nodename) throw new Error('vernemq.conf: nodename is not set');
  const flag = (key: string, fallback: boolean) => {
    const value = values.get(key);
    return value === undefined ? fallback : value === 'on';
  };
  const bridges = [...values.entries()].flatMap(([key, value]) => {
    const match = /^vmq_bridge\.(?:tcp|ssl)\.([A-Za-z0-9_]+)$/.exec(key);
    return match ? [{ name: match[1]!, endpoint: value }] : [];
  });
  return {
    nodename,
    bridgePlugin: flag('plugins.vmq_bridge', false),
    preventNonemptyJoin: flag('vmq_swc.prevent_nonempty_join', true),
    bridges,
  };
}
