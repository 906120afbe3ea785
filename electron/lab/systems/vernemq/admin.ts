import type { CommandContext, CommandHandler } from '../../host/shell';
import { VERNEMQ_VERSION } from './config';
import type { CommandOutcome, VernemqCluster, VernemqNode } from './cluster';
import { renderJsonTable, renderJsonText, renderTable, type Row } from './output';

/**
 * `vmq-admin` and `vernemq` on a lab node (a SIMULATION): the subcommands the console and the
 * runbooks use, printing VerneMQ's formats. Every answer needs the local node to be up, else the
 * relx script's `Node '…' not responding to pings.` and exit 1.
 */

const pluginHooks: Record<string, Array<[string, string]>> = {
  vmq_passwd: [
    ['change_config', 'vmq_passwd:change_config/1'],
    ['auth_on_register', 'vmq_passwd:auth_on_register/5'],
    ['auth_on_register_m5', 'vmq_passwd:auth_on_register_m5/6'],
  ],
  vmq_acl: [
    ['change_config', 'vmq_acl:change_config/1'],
    ['auth_on_publish', 'vmq_acl:auth_on_publish/6'],
    ['auth_on_subscribe', 'vmq_acl:auth_on_subscribe/3'],
    ['auth_on_publish_m5', 'vmq_acl:auth_on_publish_m5/7'],
    ['auth_on_subscribe_m5', 'vmq_acl:auth_on_subscribe_m5/4'],
  ],
  vmq_bridge: [['change_config', 'vmq_bridge:change_config/1']],
};

const usage = `Usage: vmq-admin <sub-command>

  Sub-commands:
    cluster     Manage this node's cluster membership
    node        Manage this node
    plugin      Manage plugin system
    bridge      Manage MQTT bridges
  Use --help after a sub-command for more details.
`;

export function notResponding(node: VernemqNode): string {
  return `Node '${node.name}' not responding to pings.\n`;
}

export function vmqAdminCommand(cluster: VernemqCluster, node: VernemqNode): CommandHandler {
  return (ctx) => {
    const words = ctx.argv.slice(1).filter((arg) => !arg.startsWith('--format='));
    const json = ctx.argv.includes('--format=json');
    if (!node.up) {
      ctx.stdout.write(notResponding(node));
      return 1;
    }
    const [group, action, ...rest] = words;
    const table = (columns: string[], rows: Row[]) => {
      ctx.stdout.write(json ? renderJsonTable(columns, rows) : rows.length === 0 ? '' : renderTable(columns, rows));
      return 0;
    };
    const answer = (outcome: CommandOutcome) => {
      ctx.stdout.write(json && outcome.ok ? renderJsonText(outcome.text.trim()) : outcome.text);
      return outcome.ok ? 0 : 1;
    };
    const param = (name: string) => rest.map((arg) => new RegExp(`^(?:--)?${name}=(.+)$`).exec(arg)?.[1]).find((value) => value !== undefined);

    switch (`${group ?? ''} ${action ?? ''}`) {
      case 'cluster show':
        return table(['Node', 'Running'], node.members.map((name) => ({ Node: name, Running: cluster.nodes.get(name)?.up === true })));
      case 'cluster join': {
        const target = param('discovery-node');
        return target === undefined ? invalid(ctx, 'cluster join discovery-node=<Node>') : answer(cluster.join(node, target));
      }
      case 'cluster leave': {
        const leaving = param('node');
        return leaving === undefined ? invalid(ctx, 'cluster leave node=<Node> [-k]') : answer(cluster.leave(node, leaving));
      }
      case 'plugin show': {
        const enabled = ['vmq_passwd', 'vmq_acl', ...(node.run?.bridgePlugin ? ['vmq_bridge'] : [])];
        return table(
          ['Plugin', 'Type', 'Hook(s)', 'M:F/A'],
          enabled.map((plugin) => ({
            Plugin: plugin,
            Type: 'application',
            'Hook(s)': `${pluginHooks[plugin]!.map(([hook]) => hook).join('\n')}\n`,
            'M:F/A': `${pluginHooks[plugin]!.map(([, mfa]) => mfa).join('\n')}\n`,
          })),
        );
      }
      case 'plugin enable':
      case 'plugin disable': {
        const plugin = param('name');
        if (plugin === undefined) return invalid(ctx, `plugin ${action} --name=<PluginName>`);
        return answer(action === 'enable' ? cluster.enablePlugin(node, plugin) : cluster.disablePlugin(node, plugin));
      }
      case 'bridge show': {
        const bridges = node.run?.bridgesRunning ? node.run.bridges : [];
        return table(
          ['name', 'endpoint', 'buffer size', 'buffer max', 'buffer dropped msgs', 'MQTT process mailbox len'],
          bridges.map((bridge) => ({
            name: bridge.name,
            endpoint: bridge.endpoint,
            'buffer size': 0,
            'buffer max': 0,
            'buffer dropped msgs': 0,
            'MQTT process mailbox len': 0,
          })),
        );
      }
      case 'bridge start':
        return answer(cluster.startBridges(node));
      case 'node history':
        ctx.stdout.write(node.nonEmpty || node.members.length > 1 ? 'existing_state\n' : 'empty_state\n');
        return 0;
      default:
        ctx.stdout.write(usage);
        return 1;
    }
  };
}

function invalid(ctx: CommandContext, synopsis: string): number {
  ctx.stdout.write(`Usage: vmq-admin ${synopsis}\n`);
  return 1;
}

/** The relx script: `vernemq ping` (and `version`); starting and stopping go through systemctl in the lab. */
export function vernemqCommand(node: VernemqNode): CommandHandler {
  return (ctx) => {
    switch (ctx.argv[1]) {
      case 'ping':
        if (!node.up) {
          ctx.stdout.write(notResponding(node));
          return 1;
        }
        ctx.stdout.write('pong\n');
        return 0;
      case 'version':
        ctx.stdout.write(`${VERNEMQ_VERSION}\n`);
        return 0;
      default:
        ctx.stdout.write('Usage: vernemq {ping|version} (the lab starts and stops the node with systemctl)\n');
        return 1;
    }
  };
}
