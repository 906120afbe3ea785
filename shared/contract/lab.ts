import { z } from 'zod';
import { defineCall, defineEvent } from './define';

export const labScenarioSchema = z.object({
  name: z.string(),
  description: z.string(),
  variants: z.record(z.string(), z.string()),
});

/** The rehearsal lab is always a SIMULATION; its clusters carry `simulated: true`. */
export const labStatusSchema = z.object({
  running: z
    .object({
      scenario: z.string(),
      variant: z.string().optional(),
      timeScale: z.number(),
      startedAt: z.string(),
      dir: z.string(),
      /** The inventory clusters the lab added (named `rehearsal-…`). */
      clusters: z.array(z.string()),
      /** Files left for the admin, e.g. sample licenses. */
      files: z.array(z.string()),
      warnings: z.array(z.string()),
    })
    .nullable(),
});
export type LabStatus = z.infer<typeof labStatusSchema>;

const none = z.object({}).strict();

export const labCalls = {
  scenarios: defineCall('The lab scenarios, each reproducing one field incident', none, z.array(labScenarioSchema)),
  status: defineCall('Whether a simulated lab runs, and which', none, labStatusSchema),
  start: defineCall(
    'Start a simulated lab scenario and add its clusters to the inventory',
    z
      .object({
        scenario: z.string().min(1).max(64),
        variant: z.string().min(1).max(64).optional(),
        /** 1 = realistic pacing; smaller is faster. */
        timeScale: z.number().min(0.0001).max(10).default(1),
      })
      .strict(),
    labStatusSchema,
  ),
  stop: defineCall('Stop the running lab and remove its clusters from the inventory', none, labStatusSchema),
  fault: defineCall(
    'Switch a fault on or off on a lab host (refuse, hang, slow, flap, unhealthy, disk-full, rekey): rehearse a failure',
    z.object({ host: z.string().min(1).max(200), fault: z.string().min(1).max(40), on: z.boolean() }).strict(),
    z.object({ host: z.string(), fault: z.string(), on: z.boolean() }),
  ),
};

export const labEvents = {
  labChanged: defineEvent('The lab started or stopped', labStatusSchema),
};
