import type {
  ApplyMethod,
  LicenseBackup,
  LicenseCheckItemView,
  LicenseCheckResult,
  LicenseVerification,
} from '../../../shared/contract/license';
import type { Cluster } from '../../../shared/inventory/schema';
import { canApply } from '../../../shared/license/checks';
import { licenseFileHosts } from '../../../shared/license/file-plan';
import { shortFingerprint } from '../../../shared/license/parse';
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../../../shared/license/plan';

/** The role whose nodes take a Rocket.Chat license. */
export const ROCKETCHAT_ROLE = 'rocketchat';

/** Whether the wizard can license this cluster: Rocket.Chat nodes, or hosts that take a license file (label license.path). */
export function takesLicense(cluster: Cluster): boolean {
  return cluster.hosts.some((host) => host.roles.includes(ROCKETCHAT_ROLE)) || licenseFileHosts(cluster).length > 0;
}

/** A stack that takes its license as a file on each host: no grace period, no Rocket.Chat restart. */
export function isFileStack(result: Pick<CheckedLicense, 'methods'>): boolean {
  return result.methods.includes('file');
}

/** A check that read the license and the cluster (not a rejection). */
export type CheckedLicense = Extract<LicenseCheckResult, { ok: true }>;
export type CheckLevel = LicenseCheckItemView['level'];

/** Red first: what blocks comes before what only informs. */
export const levelOrder: readonly CheckLevel[] = ['red', 'amber', 'green', 'info'];

/** The check items by level, in `levelOrder`, leaving out empty levels; items keep their order. */
export function groupByLevel(items: readonly LicenseCheckItemView[]): Array<{ level: CheckLevel; items: LicenseCheckItemView[] }> {
  return levelOrder.map((level) => ({ level, items: items.filter((item) => item.level === level) })).filter((group) => group.items.length > 0);
}

export { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../../../shared/license/plan';

/** The grace period typed in the field, or undefined when it is not a whole number of seconds in range. */
export function parseGraceSeconds(value: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds <= MAX_GRACE_SECONDS ? seconds : undefined;
}

/** The method offered first: `licenses.add` when the cluster has admin credentials, else what is left. */
export function preferredMethod(methods: readonly ApplyMethod[]): ApplyMethod | undefined {
  return methods.includes('rest') ? 'rest' : methods[0];
}

/** Why Apply is not available now; the wizard says each one. */
export type ApplyBlocker =
  | { kind: 'red'; checks: string[] }
  | { kind: 'unacknowledged'; checks: string[] }
  | { kind: 'no-method' }
  | { kind: 'grace' }
  | { kind: 'confirm-name' };

export interface ApplyInput {
  result: CheckedLicense;
  /** Ids of the amber items the admin ticked. */
  acknowledged: ReadonlySet<string>;
  method: ApplyMethod | undefined;
  graceSeconds: number | undefined;
  production: boolean;
  cluster: string;
  typedName: string;
}

/**
 * Everything that keeps Apply disabled, in the order the admin can act on them: red items
 * block outright (the same rule as the main process, `canApply`), each amber item needs its
 * own tick, a method must be available, the grace period must be valid, and a production
 * cluster needs its name typed.
 */
export function applyBlockers({ result, acknowledged, method, graceSeconds, production, cluster, typedName }: ApplyInput): ApplyBlocker[] {
  const decision = canApply(result.items, acknowledged);
  const blockers: ApplyBlocker[] = [];
  if (decision.blockedBy.length > 0) blockers.push({ kind: 'red', checks: decision.blockedBy });
  if (decision.unacknowledged.length > 0) blockers.push({ kind: 'unacknowledged', checks: decision.unacknowledged });
  if (method === undefined || !result.methods.includes(method)) blockers.push({ kind: 'no-method' });
  // A license file is verified right after it is put in place: there is no grace period to wait.
  if (graceSeconds === undefined && method !== 'file') blockers.push({ kind: 'grace' });
  if (production && typedName !== cluster) blockers.push({ kind: 'confirm-name' });
  return blockers;
}

/** The acknowledgements to send: ticked boxes of amber items that are still there after a re-check. */
export function acknowledgedAmber(items: readonly LicenseCheckItemView[], acknowledged: ReadonlySet<string>): string[] {
  return items.filter((item) => item.level === 'amber' && acknowledged.has(item.id)).map((item) => item.id);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whole days between `now` and a validity end, counted like the checks do (floor of the
 * distance), with whether the end has passed; undefined without an end or a readable date.
 */
export function validityLeft(validUntil: string | undefined, now: number): { expired: boolean; days: number } | undefined {
  if (validUntil === undefined) return undefined;
  const until = Date.parse(validUntil);
  if (Number.isNaN(until)) return undefined;
  return { expired: until < now, days: Math.floor(Math.abs(until - now) / DAY_MS) };
}

/** One line of "what will happen", as an i18n key under `license.plan` and its values. */
export interface PlanLine {
  key: string;
  values: Record<string, string | number>;
}

/** The backup step, naming the current license when it is known (undefined: whatever is stored when it runs). */
function backupLine(current: { fingerprint?: string | undefined; status?: string | undefined } | undefined): PlanLine {
  if (current === undefined) return { key: 'backupStored', values: {} };
  return current.fingerprint === undefined
    ? { key: 'backupNone', values: {} }
    : { key: 'backup', values: { fingerprint: shortFingerprint(current.fingerprint), status: current.status ?? '?' } };
}

function verifyLines(nodes: readonly string[], graceSeconds: number): PlanLine[] {
  return [
    { key: 'verify', values: { count: nodes.length, nodes: nodes.join(', ') } },
    { key: 'wait', values: { seconds: graceSeconds } },
  ];
}

/** A license file's steps on each host, one host at a time (`shared/license/file-plan.ts`). */
function fileLines(nodes: readonly string[], put: PlanLine): PlanLine[] {
  const values = { count: nodes.length, nodes: nodes.join(', ') };
  return [{ key: 'fileBackup', values }, put, { key: 'fileRestart', values: {} }, { key: 'fileVerify', values }];
}

/** Exactly what Apply does, in the order the operation runs it (`shared/license/plan.ts`, `file-plan.ts`). */
export function applyPlanLines({ result, method, graceSeconds }: { result: CheckedLicense; method: ApplyMethod; graceSeconds: number | undefined }): PlanLine[] {
  const license = shortFingerprint(result.fingerprint);
  if (method === 'file') return fileLines(result.nodes, { key: 'filePut', values: { license } });
  return [
    backupLine(result.current),
    method === 'rest'
      ? { key: 'applyRest', values: { license, nodes: result.nodes.join(', ') } }
      : { key: 'applyMongo', values: { license, count: result.nodes.length } },
    ...verifyLines(result.nodes, graceSeconds ?? DEFAULT_GRACE_SECONDS),
  ];
}

/**
 * Exactly what "Revert to previous license" does. For Rocket.Chat the main process writes an
 * empty backup through MongoDB (licenses.add cannot remove a license), and uses licenses.add
 * otherwise when the cluster has admin credentials (`LicenseService.revert`); a file stack puts
 * each host's backed-up file back (or removes it where there was none).
 */
export function revertPlanLines({
  backup,
  current,
  methods,
  nodes,
  graceSeconds,
}: {
  backup: LicenseBackup;
  current?: { fingerprint?: string | undefined; status?: string | undefined } | undefined;
  /** The methods the cluster offered at the check: what tells a file stack and REST credentials. */
  methods: readonly ApplyMethod[];
  nodes: readonly string[];
  graceSeconds: number;
}): PlanLine[] {
  const previous = shortFingerprint(backup.fingerprint);
  if (methods.includes('file')) return fileLines(nodes, { key: backup.empty ? 'fileRemove' : 'fileRestore', values: { license: previous } });
  const put: PlanLine = backup.empty
    ? { key: 'revertEmpty', values: { count: nodes.length } }
    : methods.includes('rest')
      ? { key: 'revertRest', values: { license: previous, nodes: nodes.join(', ') } }
      : { key: 'revertMongo', values: { license: previous, count: nodes.length } };
  return [backupLine(current), put, ...verifyLines(nodes, graceSeconds)];
}

/** How far the verification got: the success state is every node running the license. */
export function verificationProgress(verification: LicenseVerification): { applied: number; total: number; allApplied: boolean } {
  const applied = verification.nodes.filter((node) => node.state === 'applied').length;
  const total = verification.nodes.length;
  return { applied, total, allApplied: total > 0 && applied === total };
}
