import { AppError } from '../../../../shared/contract/errors';
import type { LabClock } from '../../host/clock';

/**
 * Waits inside the lab for a condition on simulated state (a node ready, HAProxy seeing every
 * server UP), checking every `everyMs` of lab time. The deadline is in lab time too, so it
 * scales with the lab like everything else.
 */
export async function labWaitFor(
  clock: LabClock,
  what: string,
  predicate: () => boolean,
  options: { everyMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const everyMs = options.everyMs ?? 250;
  const deadline = clock.labNow() + (options.timeoutMs ?? 300_000);
  while (!predicate()) {
    if (clock.labNow() > deadline) throw new AppError('TIMEOUT', `The lab timed out waiting for ${what}`);
    await clock.sleep(everyMs, options.signal);
  }
}
