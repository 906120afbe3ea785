import type { CommandRegistry } from '../shell';
import { registerCurl } from './curl';
import { registerDocker } from './docker';
import { registerFileCommands } from './files';
import { registerJournalctl } from './journalctl';
import { registerSocketCommands } from './socat';
import { registerSudo } from './sudo';
import { registerSystemctl } from './systemctl';
import { registerTextCommands } from './text';

/** Every command a lab host has out of the box; system simulators register more. */
export function registerBuiltinCommands(registry: CommandRegistry): void {
  registerFileCommands(registry);
  registerTextCommands(registry);
  registerSystemctl(registry);
  registerJournalctl(registry);
  registerSudo(registry);
  registerCurl(registry);
  registerDocker(registry);
  registerSocketCommands(registry);
}
