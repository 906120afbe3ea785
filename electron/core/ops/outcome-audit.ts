import type { AuditEntry } from '../../../shared/contract/audit';
import type { JournalRecord } from '../../../shared/ops/records';
import type { OpState } from '../../../shared/ops/state';
import type { Logger } from '../log/logger';

type AuditInput = Omit<AuditEntry, 'id' | 'time' | 'actor'>;

/** Turns a finished operation of one kind into its audit entry (or none). */
export type OutcomeAuditor = (state: OpState) => Promise<AuditInput | undefined> | AuditInput | undefined;

export interface OutcomeAuditDeps {
  get(opId: string): Promise<OpState>;
  append(entry: AuditInput): Promise<unknown>;
  log: Logger;
}

/**
 * The engine's `onRecord` hook that writes each operation's outcome to the audit log when its
 * `finished` record is in the journal, whichever process drove it to the end: an operation
 * resumed after a crash gets its outcome entry like one that never stopped.
 */
export function outcomeAudit(deps: OutcomeAuditDeps, auditors: Record<string, OutcomeAuditor>): (opId: string, record: JournalRecord) => void {
  return (opId, record) => {
    if (record.type !== 'finished') return;
    // Not awaited: the engine must not wait on the audit log (or on reading its own state) to go on.
    void (async () => {
      const state = await deps.get(opId);
      const auditor = auditors[state.plan.kind];
      const entry = auditor ? await auditor(state) : undefined;
      if (entry) await deps.append(entry);
    })().catch((error: unknown) => deps.log.warn('audit', `The outcome of operation ${opId} could not be audited: ${(error as Error).message}`));
  };
}
