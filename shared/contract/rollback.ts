import { z } from 'zod';
import { opIdSchema } from '../ops/records';
import { defineCall } from './define';

/** One-click OTA rollback (issue 8): inspect the builds, fix Restart=, run the rollback. */

/** A build on the host, as read by the inspect script. */
export const buildSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  executable: z.boolean(),
  sha256: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  /** ISO time of the last modification. */
  mtime: z.string().optional(),
  /** First line of `BINARY --version`, only when the host's label `voms.versionFlag` says the binary has it. */
  version: z.string().optional(),
});
export type Build = z.infer<typeof buildSchema>;

export const rollbackTargetSchema = z.object({
  unit: z.string(),
  binary: z.string(),
  backup: z.string(),
  healthUrl: z.string(),
  /** The previous release directory (label `voms.releasePrev`), for release-directory stacks. */
  releaseDir: z.string().optional(),
});
export type RollbackTarget = z.infer<typeof rollbackTargetSchema>;

export const rollbackCheckIdSchema = z.enum(['backup-exists', 'backup-executable', 'backup-differs', 'backup-failed-before', 'free-disk', 'restart-setting', 'lock', 'release-deploy']);
export type RollbackCheckId = z.infer<typeof rollbackCheckIdSchema>;

export const rollbackCheckSchema = z.object({
  id: rollbackCheckIdSchema,
  ok: z.boolean(),
  /** red blocks the rollback; amber is a warning (e.g. Restart=on-failure); green passed. */
  level: z.enum(['red', 'amber', 'green']),
  message: z.object({ en: z.string(), 'zh-CN': z.string() }),
});
export type RollbackCheck = z.infer<typeof rollbackCheckSchema>;

export const rollbackInspectionSchema = z.object({
  cluster: z.string(),
  host: z.string(),
  target: rollbackTargetSchema,
  current: buildSchema,
  backup: buildSchema.nullable(),
  checks: z.array(rollbackCheckSchema),
  /** The unit's `Restart=` (`always`, `on-failure`, `no`…). */
  restartSetting: z.string(),
  /**
   * Release-directory stacks: the previous release's deploy script (`releaseDir/deploy.sh`).
   * When it is available, `rollback.start` with `mode: 'release'` runs it under the same gate.
   * Optional only so that views built before it keep compiling; the service always sets it.
   */
  release: z.object({ deployScript: z.string(), available: z.boolean(), checks: z.array(rollbackCheckSchema), canRun: z.boolean() }).optional(),
  /** The title and id of the unfinished operation holding the cluster's lock. */
  lockHeldBy: z.string().optional(),
  /** No red check: `rollback.start` would run. */
  canRun: z.boolean(),
  /** One line: what the button does. */
  summary: z.string(),
});
export type RollbackInspection = z.infer<typeof rollbackInspectionSchema>;

const targetInput = z.object({ cluster: z.string().min(1), host: z.string().min(1) }).strict();

export const rollbackCalls = {
  inspect: defineCall('Read the current and backup builds of an OTA-managed host and the checks a rollback needs (nothing changes)', targetInput, rollbackInspectionSchema),
  setRestartAlways: defineCall(
    "Set the unit's Restart=always with a systemd drop-in and daemon-reload (a separate, confirmed action)",
    targetInput,
    z.object({ restartSetting: z.string() }),
  ),
  start: defineCall(
    'Roll the host(s) back to the backup build as an operation, one host at a time, stopping at the first failure (production needs its name typed as confirmName)',
    z
      .object({
        cluster: z.string().min(1),
        host: z.string().min(1),
        /** More hosts of the same cluster, rolled back after `host`, one at a time. */
        moreHosts: z.array(z.string().min(1)).max(500).optional(),
        confirmName: z.string().optional(),
        /** `backup` (default): restore server.bak; `release`: run the previous release's deploy script. */
        mode: z.enum(['backup', 'release']).optional(),
        /** How long each unit must stay up without a restart after its start (default 20 s). */
        settleSeconds: z.number().int().min(0).max(600).optional(),
      })
      .strict(),
    z.object({ opId: opIdSchema }),
  ),
};
