import { z } from 'zod';
import { LICENSE_MAX_BYTES } from '../license/input';
import { localizedTextSchema as localizedSchema } from '../localized';
import { MAX_GRACE_SECONDS } from '../license/plan';
import { opIdSchema } from '../ops/records';
import { defineCall } from './define';

/**
 * The offline license wizard (issue 6): check a license against a cluster read live, apply it
 * as a journaled operation, verify every node, revert to a backup. The license text travels
 * only in `check` and `apply`; everything else names it by fingerprint.
 */

/** A license as pasted or read from a file; the file's size and binary checks run first, in the wizard. */
const licenseTextSchema = z.string().max(LICENSE_MAX_BYTES, { error: `a license is at most ${LICENSE_MAX_BYTES} bytes` });

export const licenseCheckItemSchema = z.object({
  id: z.string(),
  level: z.enum(['red', 'amber', 'green', 'info']),
  message: localizedSchema,
  details: z.record(z.string(), z.unknown()),
});
export type LicenseCheckItemView = z.infer<typeof licenseCheckItemSchema>;

/** What the wizard shows of a license: never the text itself. */
export const licenseSummarySchema = z.discriminatedUnion('version', [
  z.object({
    version: z.literal(3),
    type: z.enum(['offline', 'trial', 'online']),
    issuedTo: z.object({ name: z.string().optional(), company: z.string().optional(), email: z.string().optional() }),
    serverUrls: z.array(z.object({ value: z.string(), type: z.string() })),
    validPeriods: z.array(z.object({ validFrom: z.string().optional(), validUntil: z.string().optional(), invalidBehavior: z.string() })),
    modules: z.array(z.string()),
    limits: z.record(z.string(), z.array(z.object({ max: z.number(), behavior: z.string() }))),
    createdAt: z.string(),
  }),
  z.object({ version: z.literal(2), encryptedBytes: z.number().int() }),
  /** A stack that takes its license as a file: its format is the service's own, so only its bytes are known. */
  z.object({ version: z.literal('file'), bytes: z.number().int(), sha256: z.string() }),
]);
export type LicenseSummaryView = z.infer<typeof licenseSummarySchema>;

/** How the license reaches the cluster: Rocket.Chat's REST API or its MongoDB, or a file on each host. */
export const applyMethodSchema = z.enum(['rest', 'mongo', 'file']);
export type ApplyMethod = z.infer<typeof applyMethodSchema>;

export const licenseCheckResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(false),
    /** The license could not be read: nothing else was checked. */
    rejection: z.object({ code: z.string(), message: localizedSchema }),
  }),
  z.object({
    ok: z.literal(true),
    cluster: z.string(),
    fingerprint: z.string(),
    notice: localizedSchema,
    summary: licenseSummarySchema,
    items: z.array(licenseCheckItemSchema),
    /** Red items: "Apply" stays disabled. */
    blockedBy: z.array(z.string()),
    /** Amber items: each needs the admin's acknowledgement. */
    needsAcknowledgement: z.array(z.string()),
    /** What is stored now (fingerprint and status only). */
    current: z.object({ fingerprint: z.string().optional(), status: z.string().optional() }),
    /** The methods this cluster allows, the first one preferred, with why others are missing. */
    methods: z.array(applyMethodSchema),
    methodNotes: z.array(localizedSchema),
    /** The nodes the license will be verified on. */
    nodes: z.array(z.string()),
  }),
]);
export type LicenseCheckResult = z.infer<typeof licenseCheckResultSchema>;

export const nodeLicenseStateSchema = z.enum(['applied', 'stale', 'down', 'unknown']);
export type NodeLicenseState = z.infer<typeof nodeLicenseStateSchema>;

/** One node of the verification table, read directly from that node. */
export const nodeVerificationSchema = z.object({
  node: z.string(),
  state: nodeLicenseStateSchema,
  /** The license this node's `licenses.info` reports: `expected` is the one being verified. */
  license: z.enum(['expected', 'other', 'none', 'unknown']),
  /** The node's own read-only decision, from its log since its last start. */
  readOnly: z.boolean().optional(),
  healthy: z.boolean().optional(),
  detail: z.string(),
});
export type NodeVerification = z.infer<typeof nodeVerificationSchema>;

export const licenseVerificationSchema = z.object({
  cluster: z.string(),
  fingerprint: z.string().optional(),
  /** `Enterprise_License_Status` and whether the stored license is the expected one. */
  status: z.string().optional(),
  storedMatches: z.boolean().optional(),
  /** `Cloud_Workspace_AirGapped_Restrictions_Remaining_Days`: -1 unrestricted, 0 read-only. */
  airGappedDays: z.number().optional(),
  nodes: z.array(nodeVerificationSchema),
  /** Nodes that answer but did not pick up the license: "Restart these N nodes". */
  stale: z.array(z.string()),
  at: z.string(),
});
export type LicenseVerification = z.infer<typeof licenseVerificationSchema>;

export const licenseBackupSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  createdAt: z.string(),
  /** The license that was stored (none when the cluster had no license). */
  fingerprint: z.string().optional(),
  status: z.string().optional(),
  empty: z.boolean(),
});
export type LicenseBackup = z.infer<typeof licenseBackupSchema>;

const clusterInput = z.object({ cluster: z.string().min(1) }).strict();

export const licenseCalls = {
  check: defineCall(
    'Parse a license and check it against the cluster read live (Site_Url, node clocks, active users, current license); changes nothing',
    z.object({ cluster: z.string().min(1), text: licenseTextSchema }).strict(),
    licenseCheckResultSchema,
  ),
  apply: defineCall(
    'Back up the current license, apply this one as a journaled operation and verify every node (production needs its name typed as confirmName)',
    z
      .object({
        cluster: z.string().min(1),
        text: licenseTextSchema,
        /** Amber check ids the admin acknowledged, one by one. */
        acknowledged: z.array(z.string()).max(200).default([]),
        method: applyMethodSchema.optional(),
        confirmName: z.string().optional(),
        /** How long the verification waits for every node to run the license (default 60 s). */
        graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional(),
      })
      .strict(),
    z.object({ opId: opIdSchema, backupId: z.string() }),
  ),
  verify: defineCall(
    'Read every node directly: the license it reports, its read-only state, its health (changes nothing)',
    z.object({ cluster: z.string().min(1), fingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict(),
    licenseVerificationSchema,
  ),
  backups: defineCall('The license backups of a cluster, newest first', clusterInput, z.array(licenseBackupSchema)),
  revert: defineCall(
    'Put a backed-up license back, as a journaled operation (production needs its name typed as confirmName)',
    z
      .object({
        cluster: z.string().min(1),
        backupId: z.string().min(1).max(200),
        confirmName: z.string().optional(),
        graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional(),
      })
      .strict(),
    z.object({ opId: opIdSchema, backupId: z.string() }),
  ),
};
