import { posix } from 'node:path';
import type { CommandContext, CommandHandler } from '../../host/shell';
import { isVfsError } from '../../host/vfs';
import { WUKONGIM_CONFIG, WUKONGIM_UNIT } from './config';
import type { WukongimNode } from './cluster';

/**
 * `./wukongim` in /home/wukongim (a SIMULATION): `./wukongim --config ./wk.yaml -d` starts the
 * daemon, `./wukongim stop` signals the pid in `wukongim.pid` of the working directory.
 *
 * In the lab the daemon is always the `wukongim` unit's main process (the unit is Type=forking
 * with the same command line), so both ways of starting and stopping act on one process.
 */
export function wukongimCommand(node: WukongimNode): CommandHandler {
  return async (ctx) => {
    const args = ctx.argv.slice(1);
    if (args[0] === 'stop') return stop(ctx, node);
    let config: string | undefined;
    let daemon = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--config' && i + 1 < args.length) config = args[++i];
      else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
      else if (arg === '-d' || arg === '--daemon') daemon = true;
      else if (arg === '--mode' && i + 1 < args.length) i++;
      else if (arg.startsWith('--mode=')) continue;
      else {
        ctx.stderr.write(`Error: unknown flag: ${arg}\nRun 'wk --help' for usage.\n`);
        return 1;
      }
    }
    if (config === undefined || !daemon) {
      ctx.stderr.write(`wukongim: the lab runs this node only as a daemon with its config: ${ctx.argv[0]} --config ./wk.yaml -d\n`);
      return 1;
    }
    const configPath = posix.normalize(ctx.resolve(config));
    if (!ctx.host.vfs.exists(configPath, ctx.cred)) {
      ctx.stderr.write(`panic: read config file error: open ${config}: no such file or directory\n\ngoroutine 1 [running]:\nmain.main()\n`);
      return 2;
    }
    if (configPath !== WUKONGIM_CONFIG) {
      ctx.stderr.write(`wukongim: the lab runs this node from ${WUKONGIM_CONFIG} only\n`);
      return 1;
    }
    if (ctx.cred.uid !== 0) {
      ctx.stderr.write('Error: open wukongim.pid: permission denied\n');
      return 1;
    }
    if (node.run) {
      ctx.stderr.write(`wukongim: already running (pid ${node.run.ctx.pid})\n`);
      return 1;
    }
    const result = await ctx.host.services.start(WUKONGIM_UNIT);
    return result === 'done' ? 0 : 1;
  };
}

function stop(ctx: CommandContext, node: WukongimNode): number {
  let text: string;
  try {
    text = ctx.host.vfs.readFile(ctx.resolve('wukongim.pid'), ctx.cred).toString('utf8');
  } catch (error) {
    const reason = isVfsError(error) ? error.strerror.toLowerCase() : 'no such file or directory';
    ctx.stderr.write(`Error: open wukongim.pid: ${reason}\n`);
    return 1;
  }
  const pid = Number(text.trim());
  if (!node.run || node.run.ctx.pid !== pid) {
    ctx.stderr.write('Error: os: process already finished\n');
    return 1;
  }
  if (ctx.cred.uid !== 0) {
    ctx.stderr.write('Error: operation not permitted\n');
    return 1;
  }
  node.terminate();
  return 0;
}
