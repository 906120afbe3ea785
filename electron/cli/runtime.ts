import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createCore } from '../core/app-core';
import { createLogger, stderrSink, type LogEntry } from '../core/log/logger';
import { defaultDataDir } from '../core/paths';
import { startBrowserServer, type RunningServer } from '../serve';
import type { CliIO } from './command';

/** The built renderer sits beside the built CLI: out/main/cli.js -> out/renderer/. */
export function builtRendererDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

export interface BrowserModeOptions {
  host?: string;
  port?: number;
  allowRemote?: boolean;
  dataDir?: string;
  verbose?: boolean;
  /** Start this lab scenario (a simulation) once the server runs, as the demo does. */
  lab?: string;
}

/** Starts core + browser-mode server and keeps them until the CLI's signal aborts. */
export async function runBrowserMode(io: CliIO, options: BrowserModeOptions): Promise<RunningServer> {
  const log = createLogger({
    minLevel: options.verbose ? 'debug' : 'warn',
    sink: (entry: LogEntry) => stderrSink(entry),
  });
  const dataDir = options.dataDir ?? defaultDataDir(io.env);
  const core = await createCore({ dataDir, host: 'browser', log });
  const server = await startBrowserServer({
    core,
    log,
    rendererDir: builtRendererDir(),
    host: options.host,
    port: options.port,
    allowRemote: options.allowRemote,
  });
  if (options.lab) await core.lab.start({ scenario: options.lab, timeScale: 1 });
  io.signal.addEventListener(
    'abort',
    () => {
      void server.close().then(() => core.dispose());
    },
    { once: true },
  );
  return server;
}

export function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
}
