import { z } from 'zod';
import { findingSchema } from '../stacks/findings';
import { defineCall, defineEvent } from './define';

const reachSchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
]);

export const factSchema = z.union([
  z.object({ status: z.literal('ok'), value: z.unknown() }),
  z.object({ status: z.literal('unknown'), reason: z.string(), excerpt: z.string() }),
]);

export const hostSampleSchema = z.object({
  /** Epoch ms of the round. */
  t: z.number(),
  load1: z.number().optional(),
  memUsedPercent: z.number().optional(),
});
export type HostSample = z.infer<typeof hostSampleSchema>;

/** A host as the views draw it: small enough to send 500 of on every round. */
export const hostStateSchema = z.object({
  name: z.string(),
  address: z.string(),
  roles: z.array(z.string()),
  reach: reachSchema,
  probedAt: z.string(),
  roundTripMs: z.number().optional(),
  /** Worst finding on this host, or ok / unknown (never probed or not reachable). */
  status: z.enum(['ok', 'P1', 'P2', 'P3', 'unknown']),
  load1: z.number().optional(),
  memUsedPercent: z.number().optional(),
  uptimeSeconds: z.number().optional(),
  version: z.string().optional(),
});
export type HostState = z.infer<typeof hostStateSchema>;

export const clusterStateSchema = z.object({
  cluster: z.string(),
  round: z.number().int(),
  startedAt: z.string(),
  durationMs: z.number(),
  findings: z.array(findingSchema),
  hosts: z.array(hostStateSchema),
  mongo: reachSchema.optional(),
});
export type ClusterState = z.infer<typeof clusterStateSchema>;

export const hostDetailSchema = z.object({
  state: hostStateSchema,
  facts: z.record(z.string(), factSchema),
  raw: z.record(z.string(), z.object({ output: z.string(), exitCode: z.number().nullable() })),
  history: z.array(hostSampleSchema),
});
export type HostDetail = z.infer<typeof hostDetailSchema>;

const clusterRef = z.object({ cluster: z.string().min(1) }).strict();

export const inspectCalls = {
  refresh: defineCall('Run one inspection round of a cluster now', clusterRef, clusterStateSchema),
  state: defineCall('The latest round of a cluster (null before the first)', clusterRef, clusterStateSchema.nullable()),
  host: defineCall(
    'Facts, raw probe output and history of one host',
    z.object({ cluster: z.string().min(1), host: z.string().min(1) }).strict(),
    hostDetailSchema.nullable(),
  ),
  logs: defineCall(
    "Read a host's service logs again now (the node view's live follow polls this)",
    z.object({ cluster: z.string().min(1), host: z.string().min(1) }).strict(),
    z.object({
      at: z.string(),
      facts: z.record(z.string(), factSchema),
      raw: z.record(z.string(), z.object({ output: z.string(), exitCode: z.number().nullable() })),
    }),
  ),
  setInterval: defineCall(
    'How often clusters are re-inspected (0 = only on demand)',
    z.object({ seconds: z.number().int().min(0).max(3600) }).strict(),
    z.object({ seconds: z.number() }),
  ),
};

export const inspectEvents = {
  /** Sent after each round: findings in full, hosts only when they changed. */
  inspectUpdated: defineEvent(
    'A cluster was inspected',
    z.object({
      cluster: z.string(),
      round: z.number().int(),
      startedAt: z.string(),
      durationMs: z.number(),
      findings: z.array(findingSchema),
      changedHosts: z.array(hostStateSchema),
      hostNames: z.array(z.string()),
      mongo: reachSchema.optional(),
    }),
  ),
};
