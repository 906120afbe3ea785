import { appCalls, appEvents, settingsCalls } from './app';
import { auditCalls, auditEvents } from './audit';
import { inventoryCalls, inventoryEvents } from './inventory';
import type { CallGroups, EventMap } from './define';

/**
 * The single declaration of everything the renderer and the CLI can ask the main
 * process, and everything it pushes back. Add a capability by adding a file beside
 * this one and one line below.
 */
export const calls = {
  app: appCalls,
  settings: settingsCalls,
  audit: auditCalls,
  inventory: inventoryCalls,
} satisfies CallGroups;

export const events = {
  ...appEvents,
  ...auditEvents,
  ...inventoryEvents,
} satisfies EventMap;

export type Calls = typeof calls;
export type Events = typeof events;

export * from './define';
export * from './errors';
export * from './app';
export * from './audit';
export * from './inventory';
