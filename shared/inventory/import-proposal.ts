import { z } from 'zod';
import { clusterSchema } from './schema';

/** The file formats Switchboard reads an inventory from (detected by content). */
export const inventoryFormats = ['switchboard', 'ansible-ini', 'ansible-yaml', 'ssh-config'] as const;
export type InventoryFormat = (typeof inventoryFormats)[number];

/**
 * What an importer proposes: one cluster the admin reviews (and may edit) before it is
 * saved, plus what could not be carried over (skipped hosts, ignored settings).
 */
export const importProposalSchema = z.object({
  format: z.enum(inventoryFormats),
  cluster: clusterSchema,
  warnings: z.array(z.string()),
});
export type ImportProposal = z.infer<typeof importProposalSchema>;
