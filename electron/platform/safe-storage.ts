import { safeStorage } from 'electron';
import type { PlatformCipher } from '../core/inventory/secrets';

/** Electron's safeStorage (Keychain, DPAPI, libsecret) as the core's secret cipher. */
export const safeStorageCipher: PlatformCipher = {
  isAvailable: () => safeStorage.isEncryptionAvailable(),
  encrypt: (text) => safeStorage.encryptString(text),
  decrypt: (data) => safeStorage.decryptString(data),
};
