import { calls } from '../../shared/contract';
import { Dispatcher, type Handlers } from './rpc/dispatcher';
import { EventHub } from './rpc/event-hub';
import { SettingsStore } from './settings/settings-store';
import { AuditLog } from './audit/audit-log';
import type { Logger } from './log/logger';
import { appVersion } from './version';

export interface CoreOptions {
  dataDir: string;
  host: 'electron' | 'browser';
  log: Logger;
}

/**
 * Builds every service once and wires them to the contract. The Electron window,
 * browser mode and tests all talk to the same core through `dispatcher` and `events`.
 */
export function createCore(options: CoreOptions) {
  const events = new EventHub();
  const settings = new SettingsStore(options.dataDir, options.log);
  const audit = new AuditLog(options.dataDir, { onAppend: (entry) => events.emit('auditAppended', entry) });

  const handlers: Handlers<typeof calls> = {
    app: {
      info: () => ({
        name: 'Switchboard',
        version: appVersion,
        host: options.host,
        platform: process.platform,
        dataDir: options.dataDir,
      }),
    },
    settings: {
      get: () => settings.get(),
      update: async (patch) => {
        const next = await settings.update(patch);
        events.emit('settingsChanged', next);
        return next;
      },
    },
    audit: {
      list: (query) => audit.list(query),
    },
  };

  const dispatcher = new Dispatcher(calls, handlers, options.log);
  return {
    dispatcher,
    events,
    audit,
    async dispose(): Promise<void> {},
  };
}

export type Core = ReturnType<typeof createCore>;
