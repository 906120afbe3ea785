import { appCalls, appEvents, settingsCalls } from './app';
import { auditCalls, auditEvents } from './audit';
import { inventoryCalls, inventoryEvents } from './inventory';
import { hostKeyCalls, sshCalls, sshEvents } from './ssh';
import { inspectCalls, inspectEvents } from './inspect';
import { opsCalls, opsEvents } from './ops';
import { labCalls, labEvents } from './lab';
import { restartCalls } from './restart';
import { rollbackCalls } from './rollback';
import { licenseCalls } from './license';
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
  hostKeys: hostKeyCalls,
  ssh: sshCalls,
  inspect: inspectCalls,
  ops: opsCalls,
  restart: restartCalls,
  rollback: rollbackCalls,
  license: licenseCalls,
  lab: labCalls,
} satisfies CallGroups;

export const events = {
  ...appEvents,
  ...auditEvents,
  ...inventoryEvents,
  ...sshEvents,
  ...inspectEvents,
  ...opsEvents,
  ...labEvents,
} satisfies EventMap;

export type Calls = typeof calls;
export type Events = typeof events;

export * from './define';
export * from './errors';
export * from './app';
export * from './audit';
export * from './inventory';
export * from './ssh';
export * from './inspect';
export * from './ops';
export * from './lab';
export * from './restart';
export * from './rollback';
export * from './license';
