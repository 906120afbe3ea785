import { AppError } from '../../../shared/contract/errors';
import type { Gate } from '../../../shared/ops/plan';
import type { OpsClock } from './clock';

export interface CheckResult {
  ok: boolean;
  /** One line for the view: "HTTP 503", "rc2 not in instances yet". */
  detail?: string;
  /**
   * The check knows the gate cannot pass any more (a build that crash-loops, a unit systemd
   * gave up on): the gate fails now instead of waiting out its time, so what undoes the step
   * runs sooner.
   */
  final?: boolean;
}

export interface GateOutcome {
  passed: boolean;
  attempts: number;
  detail?: string;
}

/**
 * Polls `check` until it passes or the gate's time is up. A check that throws counts as
 * "not yet" (a node in the middle of a restart refuses connections); the last check runs at
 * the deadline, so a gate never fails without having looked one last time. Waits go through
 * the injected clock; an aborted `signal` ends the polling with CANCELLED.
 */
export async function pollGate(
  gate: Pick<Gate, 'timeoutMs' | 'intervalMs' | 'backoff'>,
  check: () => Promise<CheckResult>,
  clock: OpsClock,
  signal: AbortSignal,
  onAttempt?: (attempts: number, detail: string | undefined) => void,
): Promise<GateOutcome> {
  const started = clock.now();
  let interval = gate.intervalMs;
  let attempts = 0;
  for (;;) {
    if (signal.aborted) throw new AppError('CANCELLED', 'Gate polling was cancelled');
    attempts += 1;
    let result: CheckResult;
    try {
      result = await check();
    } catch (error) {
      if (signal.aborted) throw new AppError('CANCELLED', 'Gate polling was cancelled');
      result = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    if (result.ok) return { passed: true, attempts, ...(result.detail !== undefined ? { detail: result.detail } : {}) };
    onAttempt?.(attempts, result.detail);
    if (result.final) return { passed: false, attempts, detail: result.detail ?? 'the check says it cannot pass' };
    const elapsed = clock.now() - started;
    if (elapsed >= gate.timeoutMs) {
      return { passed: false, attempts, detail: result.detail ?? `did not pass within ${gate.timeoutMs} ms` };
    }
    await clock.sleep(Math.min(interval, gate.timeoutMs - elapsed), signal);
    if (gate.backoff) interval = Math.min(interval * gate.backoff.factor, gate.backoff.maxIntervalMs);
  }
}
