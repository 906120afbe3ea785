import { calls } from '../../shared/contract';
import { Dispatcher, type Handlers } from './rpc/dispatcher';
import { EventHub } from './rpc/event-hub';
import { SettingsStore } from './settings/settings-store';
import { AuditLog } from './audit/audit-log';
import { InventoryStore } from './inventory/store';
import { EncryptedSecretStore, VaultSecretStore, type PlatformCipher, type SecretStore } from './inventory/secrets';
import { InventoryService, inventoryChangedPayload } from './inventory/service';
import type { Logger } from './log/logger';
import { appVersion } from './version';

export interface CoreOptions {
  dataDir: string;
  host: 'electron' | 'browser';
  log: Logger;
  /**
   * The platform's secret encryption (Electron safeStorage). Without it, secrets live in
   * a passphrase-protected vault (CLI and browser mode).
   */
  cipher?: PlatformCipher;
}

/**
 * Builds every service once and wires them to the contract. The Electron window,
 * browser mode and tests all talk to the same core through `dispatcher` and `events`.
 */
export function createCore(options: CoreOptions) {
  const { dataDir, log } = options;
  const events = new EventHub();
  const settings = new SettingsStore(dataDir, log);
  const audit = new AuditLog(dataDir, { onAppend: (entry) => events.emit('auditAppended', entry) });
  const secrets: SecretStore = options.cipher ? new EncryptedSecretStore(dataDir, options.cipher) : new VaultSecretStore(dataDir);
  const inventoryStore = new InventoryStore(dataDir, {
    onChange: (change, inventory) => events.emit('inventoryChanged', inventoryChangedPayload(change, inventory)),
  });
  const inventory = new InventoryService({ store: inventoryStore, secrets, log });

  const handlers: Handlers<typeof calls> = {
    app: {
      info: () => ({
        name: 'Switchboard',
        version: appVersion,
        host: options.host,
        platform: process.platform,
        dataDir,
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
    inventory: {
      list: () => inventory.list(),
      get: (input) => inventory.get(input),
      save: (input) => inventory.save(input),
      duplicate: (input) => inventory.duplicate(input),
      delete: (input) => inventory.delete(input),
      importPreview: (input) => inventory.importPreview(input),
      setSecret: (input) => inventory.setSecret(input),
      vaultStatus: () => inventory.vaultStatus(),
      unlockVault: (input) => inventory.unlockVault(input),
      lockVault: () => inventory.lockVault(),
    },
  };

  const dispatcher = new Dispatcher(calls, handlers, log);
  return {
    dispatcher,
    events,
    audit,
    inventory: inventoryStore,
    secrets,
    async dispose(): Promise<void> {},
  };
}

export type Core = ReturnType<typeof createCore>;
