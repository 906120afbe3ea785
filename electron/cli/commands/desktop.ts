import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ExitCode, type CliCommand, type CliIO } from '../command';
import { runBrowserMode, waitForAbort } from '../runtime';

/**
 * Why the Electron window cannot open here, in one plain sentence; undefined when it can.
 * The binary is missing on machines where it could not be downloaded, and a display
 * is missing on headless servers.
 */
export function electronUnavailableReason(env: NodeJS.ProcessEnv, platform = process.platform): string | undefined {
  if (!electronBinary()) return 'The Electron binary is not installed on this machine';
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'No graphical display is available';
  return undefined;
}

/** Path of the installed Electron executable, read the way the `electron` package itself does. */
export function electronBinary(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('electron/package.json');
    const relative = readFileSync(join(dirname(pkg), 'path.txt'), 'utf8').trim();
    const binary = join(dirname(pkg), 'dist', relative);
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/** What `switchboard demo` loads: every system up and consistent, the control case. */
export const DEMO_SCENARIO = 'healthy';

async function openDesktop(argv: string[], io: CliIO, withLab: boolean): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' }, 'browser': { type: 'boolean' } },
    strict: true,
  });
  const reason = values.browser ? 'Browser mode was asked for' : electronUnavailableReason(io.env);
  if (!reason) {
    const mainEntry = join(dirname(fileURLToPath(import.meta.url)), 'main.js');
    const child = spawn(electronBinary() as string, [mainEntry], {
      stdio: 'inherit',
      env: { ...io.env, SWITCHBOARD_DEMO_LAB: withLab ? DEMO_SCENARIO : '' },
    });
    io.signal.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
    return new Promise((done) => child.on('exit', (code) => done(code ?? ExitCode.ok)));
  }
  const server = await runBrowserMode(io, { dataDir: values['data-dir'], ...(withLab ? { lab: DEMO_SCENARIO } : {}) });
  const lab = withLab ? `The rehearsal lab "${DEMO_SCENARIO}" (a SIMULATION) is loaded as the rehearsal-* clusters.\n` : '';
  io.stdout.write(`${reason}, so Switchboard is starting in browser mode instead. Open:\n  ${server.url}\n${lab}Press Ctrl+C to stop.\n`);
  await waitForAbort(io.signal);
  return ExitCode.ok;
}

export const desktopCommand: CliCommand = {
  name: 'desktop',
  summary: 'Open the desktop app (browser mode when Electron or a display is missing)',
  usage: `Usage: switchboard desktop [--browser] [--data-dir DIR]

Opens the Switchboard window. Where the Electron binary is not installed or no
display is available, says so and starts browser mode, printing the URL to open.

Options:
  --browser       go straight to browser mode
  --data-dir DIR  where settings and state are kept`,
  run: (argv, io) => openDesktop(argv, io, false),
};

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Open the app for a first look (browser mode when Electron or a display is missing)',
  usage: `Usage: switchboard demo [--browser] [--data-dir DIR]

Opens Switchboard for a first look. Where the Electron binary is not installed or no
display is available, says so and starts browser mode, printing the URL to open.

Options:
  --browser       go straight to browser mode
  --data-dir DIR  where settings and state are kept`,
  run: (argv, io) => openDesktop(argv, io, true),
};
