import { z } from 'zod';
import { importProposalSchema } from '../inventory/import-proposal';
import { clusterSchema, clusterSummarySchema, environments, nameSchema, secretRefSchema } from '../inventory/schema';
import { defineCall, defineEvent } from './define';

const none = z.object({}).strict();
const byName = z.strictObject({ name: nameSchema });

export const secretStoreStatusSchema = z.object({
  /** `system`: Electron safeStorage (no passphrase); `vault`: the passphrase vault of CLI and browser mode. */
  backend: z.enum(['vault', 'system']),
  state: z.enum(['absent', 'locked', 'unlocked', 'unavailable']),
});
export type SecretStoreStatusResult = z.infer<typeof secretStoreStatusSchema>;

export const importRequestSchema = z
  .strictObject({
    /** `auto` detects Ansible INI/YAML or ssh_config by content; `ansible` picks INI or YAML by content. */
    format: z.enum(['auto', 'ssh-config', 'ansible']),
    /** Pasted text... */
    text: z.string().max(4 * 1024 * 1024).optional(),
    /** ...or a file on the machine running the main process; for ssh-config, the default is ~/.ssh/config. */
    path: z.string().min(1).max(4096).optional(),
    clusterName: nameSchema.optional(),
    environment: z.enum(environments).optional(),
  })
  .refine((request) => !(request.text !== undefined && request.path !== undefined), {
    error: 'give either text or path, not both',
  });
export type ImportRequest = z.infer<typeof importRequestSchema>;

export const inventoryChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('saved'), name: z.string(), previousName: z.string().optional() }),
  z.object({ kind: z.literal('deleted'), name: z.string() }),
]);

export const inventoryCalls = {
  list: defineCall('Every saved cluster, as the clusters list shows it', none, z.array(clusterSummarySchema)),
  get: defineCall('One saved cluster with its hosts', byName, clusterSchema),
  save: defineCall(
    'Create a cluster, or replace the one named previousName (a rename when the names differ)',
    z.strictObject({ cluster: clusterSchema, previousName: nameSchema.optional() }),
    clusterSchema,
  ),
  duplicate: defineCall(
    'Copy a cluster under a new name (default NAME-copy)',
    z.strictObject({ name: nameSchema, newName: nameSchema.optional() }),
    clusterSchema,
  ),
  delete: defineCall('Delete a cluster and the secrets only it used', byName, byName),
  importPreview: defineCall(
    'Read an ssh_config or Ansible inventory into a cluster proposal to review before saving',
    importRequestSchema,
    importProposalSchema,
  ),
  setSecret: defineCall(
    'Store a password, passphrase or token in the secret store; the inventory keeps only the returned reference',
    z.strictObject({ value: z.string().min(1).max(64 * 1024) }),
    secretRefSchema,
  ),
  vaultStatus: defineCall('Which secret store is in use and whether it is unlocked', none, secretStoreStatusSchema),
  unlockVault: defineCall(
    'Unlock the passphrase vault (creates it on first use); browser mode and CLI',
    z.strictObject({ passphrase: z.string().min(1).max(1024) }),
    secretStoreStatusSchema,
  ),
  lockVault: defineCall('Forget the vault key and every decrypted secret', none, secretStoreStatusSchema),
};

export const inventoryEvents = {
  inventoryChanged: defineEvent(
    'A cluster was saved or deleted (by any window or import)',
    z.object({ change: inventoryChangeSchema, clusters: z.array(clusterSummarySchema) }),
  ),
};
