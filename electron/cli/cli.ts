#!/usr/bin/env node
import { ExitCode } from './command';
import { runCli } from './run-cli';

// The `switchboard` executable: wires the process to runCli, which holds the logic.
function main(): void {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = ExitCode.failure;
    },
  );
}

main();
