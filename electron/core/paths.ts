import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Switchboard keeps its state outside Electron (CLI and browser mode): the same
 * folder Electron's `app.getPath('userData')` uses, so the app and the CLI share it.
 * `SWITCHBOARD_DATA_DIR` overrides it (tests, portable installs).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SWITCHBOARD_DATA_DIR) return env.SWITCHBOARD_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Switchboard');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Switchboard');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Switchboard');
}
