import type { CliCommand } from '../command';
import { serveCommand } from './serve';
import { demoCommand, desktopCommand } from './desktop';
import { execCommand } from './exec';
import { inspectCommand } from './inspect';
import { labCommand } from './lab';
import { licenseCommand } from './license';
import { opsCommand } from './ops';
import { restartCommand } from './restart';
import { rollbackCommand } from './rollback';

/** Every subcommand, in the order `--help` lists them. */
export const commands: readonly CliCommand[] = [serveCommand, demoCommand, desktopCommand, inspectCommand, licenseCommand, restartCommand, rollbackCommand, opsCommand, execCommand, labCommand];
