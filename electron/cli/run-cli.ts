import { ExitCode, UsageError, type CliCommand, type CliIO } from './command';
import { appVersion } from '../core/version';
import { commands } from './commands';

const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  usage error (bad flags or arguments); nothing was done
  2  the command ran and found a problem (a P1 finding, a blocked check, a host that failed)
  3  the command could not run (internal or environment error)`;

export function helpText(list: readonly CliCommand[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  const lines = list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `switchboard ${appVersion}: admin console for self-hosted messaging clusters

Usage: switchboard <command> [options]
       switchboard <command> --help

Commands:
${lines.join('\n')}

Options:
  --help     show this help
  --version  print the version

${EXIT_CODES_HELP}
`;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText(commands));
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${appVersion}\n`);
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`switchboard: unknown command "${name}". Run "switchboard --help" for the list.\n`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n\n${EXIT_CODES_HELP}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`switchboard ${name}: ${error.message}\n`);
      return ExitCode.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard ${name}: ${message}\n`);
    return ExitCode.failure;
  }
}
