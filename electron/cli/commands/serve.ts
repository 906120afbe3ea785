import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type CliCommand } from '../command';
import { runBrowserMode, waitForAbort } from '../runtime';
import { isLoopback } from '../../serve';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the console in browser mode (loopback only) and print its URL',
  usage: `Usage: switchboard serve [--port N] [--host ADDR] [--allow-remote] [--data-dir DIR] [--json] [--verbose]

Starts the console's main process and serves the app to your browser on 127.0.0.1.
The printed URL carries a one-time access token; anyone without it is refused.
Runs until interrupted (Ctrl+C).

Options:
  --port N          port to listen on (default: a free port)
  --host ADDR       address to bind (default 127.0.0.1); a non-loopback address
                    is refused unless --allow-remote is given
  --allow-remote    allow binding a non-loopback address (prints a warning)
  --data-dir DIR    where settings and state are kept (default: the app's data directory)
  --json            print {"url": ..., "port": ...} as one JSON line
  --verbose         log debug messages to stderr`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
    const host = values.host ?? '127.0.0.1';
    if (!isLoopback(host)) {
      if (!values['allow-remote']) {
        throw new UsageError(`refusing to bind ${host}: browser mode listens on loopback only; add --allow-remote to force it`);
      }
      io.stderr.write(
        `WARNING: serving on ${host}, reachable from other machines. Anyone with the URL's token controls your clusters.\n`,
      );
    }
    const server = await runBrowserMode(io, {
      host,
      port,
      allowRemote: values['allow-remote'],
      dataDir: values['data-dir'],
      verbose: values.verbose,
    });
    if (values.json) io.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
    else io.stdout.write(`Switchboard is running in browser mode. Open:\n  ${server.url}\nPress Ctrl+C to stop.\n`);
    await waitForAbort(io.signal);
    return ExitCode.ok;
  },
};
