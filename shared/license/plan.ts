import type { Plan, Step } from '../ops/plan';
import { shortFingerprint } from './parse';

/**
 * The license operation: back up what is stored, apply the new license, verify every node.
 * The license text never enters the plan (the journal is a plain file): steps name a staged
 * copy in the app's data directory and the license's fingerprint.
 */

export const LICENSE_PLAN_KIND = 'license-apply';

export type LicenseApplyMethod = 'rest' | 'mongo';

/** How long the verification waits for every node to run the license, unless the admin says otherwise. */
export const DEFAULT_GRACE_SECONDS = 60;
export const MAX_GRACE_SECONDS = 1800;

/** `license.backup`: saves `Enterprise_License` and its status to `backupPath` (guard `license.backupExists`). */
export interface BackupParams {
  backupPath: string;
}

/**
 * `license.apply`: puts the staged license (`licensePath`, whose fingerprint is `fingerprint`)
 * into the cluster: `licenses.add` on `host` for `rest`, a write of `Enterprise_License` for `mongo`.
 * Also the guard (`license.applied`: already there) and the gate (`license.accepted`).
 */
export interface ApplyParams {
  method: LicenseApplyMethod;
  /** The node `licenses.add` goes to, addressed directly (rest only). */
  host?: string;
  licensePath: string;
  fingerprint: string;
}

/** `license.restore`: puts the backed-up value back (the apply step's undo). */
export interface RestoreParams {
  method: LicenseApplyMethod;
  host?: string;
  backupPath: string;
}

/** `license.verifyNodes`: reads every node until all run the license or `graceMs` has passed. */
export interface VerifyParams {
  fingerprint: string;
  nodes: string[];
  graceMs: number;
}

export interface LicensePlanInput {
  cluster: string;
  /** What the operation does, e.g. "Apply license 3f9a…" or "Revert to the license of …". */
  title: string;
  fingerprint: string;
  /** The license as the admin described it ("offline license for chat.example.com until 2027-11-26"). */
  describe: string;
  method: LicenseApplyMethod;
  applyNode?: string;
  licensePath: string;
  backupPath: string;
  /** What is stored now, for the step descriptions. */
  current: { fingerprint?: string; status?: string };
  nodes: string[];
  graceSeconds: number;
  /** How long the cluster may take to accept the license. */
  acceptTimeoutSeconds: number;
}


export function planLicense(input: LicensePlanInput): Plan {
  const apply: ApplyParams = {
    method: input.method,
    licensePath: input.licensePath,
    fingerprint: input.fingerprint,
    ...(input.method === 'rest' && input.applyNode !== undefined ? { host: input.applyNode } : {}),
  };
  const restore: RestoreParams = { method: input.method, backupPath: input.backupPath, ...(apply.host !== undefined ? { host: apply.host } : {}) };
  const backup: BackupParams = { backupPath: input.backupPath };
  const verify: VerifyParams = { fingerprint: input.fingerprint, nodes: input.nodes, graceMs: input.graceSeconds * 1000 };
  const nodeCount = `${input.nodes.length} node${input.nodes.length === 1 ? '' : 's'}`;

  const backupStep: Step = {
    id: 'backup',
    title: 'Back up the current license',
    description: `Save Enterprise_License (license ${shortFingerprint(input.current.fingerprint)}, status ${input.current.status ?? 'none'}) to ${input.backupPath}`,
    action: { kind: 'license.backup', params: { ...backup } },
    guard: { kind: 'license.backupExists', params: { ...backup } },
    expectedMs: 1000,
  };
  const applyStep: Step = {
    id: 'apply',
    ...(apply.host !== undefined ? { host: apply.host } : {}),
    title: input.method === 'rest' ? `Apply the license through ${apply.host ?? '?'}` : 'Write Enterprise_License through MongoDB',
    description:
      input.method === 'rest'
        ? `POST /api/v1/licenses.add on ${apply.host ?? '?'} directly (not through HAProxy): ${input.describe}, license ${shortFingerprint(input.fingerprint)}`
        : `Replace the Enterprise_License setting in MongoDB with ${input.describe}, license ${shortFingerprint(input.fingerprint)}; running nodes pick it up only when they restart`,
    action: { kind: 'license.apply', params: { ...apply } },
    guard: { kind: 'license.applied', params: { ...apply } },
    gate: { kind: 'license.accepted', params: { ...apply }, timeoutMs: input.acceptTimeoutSeconds * 1000, intervalMs: 2000 },
    undo: { kind: 'license.restore', params: { ...restore } },
    undoTitle: `Put the previous license (${shortFingerprint(input.current.fingerprint)}) back from ${input.backupPath}`,
    expectedMs: 5000,
  };
  const verifyStep: Step = {
    id: 'verify',
    title: `Verify the license on ${nodeCount}`,
    description: `Ask each node directly (licenses.info, its read-only state, its health) until all ${nodeCount} run license ${shortFingerprint(input.fingerprint)} or ${input.graceSeconds} s have passed; nodes still on the old license are listed for a restart`,
    action: { kind: 'license.verifyNodes', params: { ...verify } },
    // Only reads: a verification cut short by a crash is simply run again.
    idempotent: true,
    expectedMs: input.graceSeconds * 1000,
  };
  return {
    kind: LICENSE_PLAN_KIND,
    cluster: input.cluster,
    title: input.title,
    batches: [
      { id: 'backup', title: 'Back up', steps: [backupStep] },
      { id: 'apply', title: 'Apply', steps: [applyStep] },
      { id: 'verify', title: 'Verify', steps: [verifyStep] },
    ],
    details: {
      fingerprint: input.fingerprint,
      method: input.method,
      ...(input.applyNode !== undefined ? { applyNode: input.applyNode } : {}),
      backupPath: input.backupPath,
      previousFingerprint: input.current.fingerprint ?? null,
      nodes: input.nodes,
    },
  };
}
