/**
 * Params of the step kinds a rollback plan adds; the planner writes them, the executors and
 * checks in `electron/core/rollback/kinds.ts` read them. `ssh.exec` (from the restart
 * feature) stops and starts the unit.
 */

/**
 * `rollback.copyVerified`: puts `from` at `to` so that `to` is only ever absent/its old content
 * or the complete new content: copy to `tmp` (same directory as `to`), check its SHA-256 is
 * `sha256`, then `mv -f tmp to` (a rename in one directory is atomic).
 */
export interface CopyVerifiedParams {
  host: string;
  from: string;
  to: string;
  tmp: string;
  sha256: string;
  /** Whether the host needs sudo (inventory user is not root). */
  sudo: boolean;
}

/** `rollback.fileSha`: `path` exists with SHA-256 `sha256` (a guard: the copy is already in place). */
export interface FileShaParams {
  host: string;
  path: string;
  sha256: string;
  sudo: boolean;
}

/**
 * `rollback.healthy`: the health URL answers 2xx and the unit stays active for `settleMs`,
 * with the same NRestarts and main PID at the start and the end of that time.
 */
export interface HealthyParams {
  host: string;
  unit: string;
  healthUrl: string;
  settleMs: number;
  sudo: boolean;
  /**
   * The start began with NRestarts=0 (reset-failed): once the unit has restarted this many times
   * the build crash-loops and the gate fails at once. Absent in journals written before it existed.
   */
  failAfterRestarts?: number;
}
