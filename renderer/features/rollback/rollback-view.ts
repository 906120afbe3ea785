import type { RollbackCheck, RollbackInspection, RollbackTarget } from '../../../shared/contract/rollback';
import type { Cluster } from '../../../shared/inventory/schema';
import { otaTargetOf } from '../../../shared/stacks/profiles/voms';

/** A SHA-256 too long for a table cell: its head and tail, enough to tell two builds apart at a glance. */
export function shortHash(hash: string, keep = 8): string {
  return hash.length <= keep * 2 + 1 ? hash : `${hash.slice(0, keep)}…${hash.slice(-keep)}`;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A file size in binary units with one decimal (bytes are exact): "12.4 MiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The last part of a path on the host (POSIX), for the summary line. */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || path;
}

/** Why Run is not available now; the dialog says each one. */
export type RunBlocker =
  | { kind: 'red'; checks: string[] }
  | { kind: 'unacknowledged'; checks: string[] }
  | { kind: 'lock'; holder: string }
  | { kind: 'refused' }
  | { kind: 'confirm-name' }
  | { kind: 'other-hosts'; hosts: string[] };

export interface RunInput {
  inspection: RollbackInspection;
  /** Ids of the amber checks the admin has ticked. */
  acknowledged: ReadonlySet<string>;
  production: boolean;
  cluster: string;
  typedName: string;
}

/** The amber checks, which each need the admin's explicit acknowledgement. */
export function amberChecks(checks: readonly RollbackCheck[]): RollbackCheck[] {
  return checks.filter((check) => check.level === 'amber');
}

/**
 * Everything that stops Run, in the order the admin can act on them. Red checks block outright;
 * each amber one needs its box ticked; a held lock or the main process's own refusal
 * (`canRun` false) block too; a production cluster needs its name typed.
 */
export function runBlockers({ inspection, acknowledged, production, cluster, typedName }: RunInput): RunBlocker[] {
  const blockers: RunBlocker[] = [];
  const held = inspection.lockHeldBy;
  // A held lock is said once, with its holder, rather than also as a failed check.
  const red = inspection.checks.filter((check) => check.level === 'red' && !(check.id === 'lock' && held !== undefined)).map((check) => check.id);
  if (red.length > 0) blockers.push({ kind: 'red', checks: red });
  const pending = amberChecks(inspection.checks)
    .map((check) => check.id)
    .filter((id) => !acknowledged.has(id));
  if (pending.length > 0) blockers.push({ kind: 'unacknowledged', checks: pending });
  if (held !== undefined) blockers.push({ kind: 'lock', holder: held });
  // The main process decides too: its refusal counts even when no check here explains it.
  if (!inspection.canRun && red.length === 0 && held === undefined) blockers.push({ kind: 'refused' });
  if (production && typedName !== cluster) blockers.push({ kind: 'confirm-name' });
  return blockers;
}

/** The cluster's other OTA-managed hosts, in inventory order: the same Run can roll them back after `host`, one at a time. */
export function otherOtaHosts(cluster: Cluster | undefined, host: string): string[] {
  return (cluster?.hosts ?? []).filter((candidate) => candidate.name !== host && otaTargetOf(candidate) !== undefined).map((candidate) => candidate.name);
}

/**
 * Run's blockers with more hosts: this host's own, then one more naming the other hosts whose
 * checks stop them (red, an unticked warning, the main process's refusal). The lock and the
 * typed name are the cluster's, said once.
 */
export function runBlockersWithHosts(input: RunInput, others: readonly { inspection: RollbackInspection; acknowledged: ReadonlySet<string> }[]): RunBlocker[] {
  const blockers = runBlockers(input);
  const stopped = others
    .filter(({ inspection, acknowledged }) =>
      runBlockers({ inspection, acknowledged, production: false, cluster: input.cluster, typedName: '' }).some((blocker) => blocker.kind !== 'lock'),
    )
    .map(({ inspection }) => inspection.host);
  if (stopped.length > 0) blockers.push({ kind: 'other-hosts', hosts: stopped });
  return blockers;
}

/**
 * The values of the one line that says what Run does. The main process always rolls the binary
 * back (its `releaseDir` is informational), so the line names the unit, the name the failed build
 * is kept under and the backup restored.
 */
export function runSummary(target: RollbackTarget): { unit: string; failed: string; backup: string } {
  return { unit: target.unit, failed: `${baseName(target.binary)}.failed-…`, backup: baseName(target.backup) };
}

/** A host's ISO time in the UI language; a value that is not a time is shown as it came. */
export function formatTime(iso: string, language: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(time);
}
