import type { OpOutputEvent } from '../../../../shared/contract/ops';
import type { StepState } from '../../../../shared/ops/state';

/** A step's output as the view shows it: the newest text, and how much before it is not shown. */
export interface StepOutput {
  text: string;
  omittedChars: number;
}

/** Per step: enough for the tail of a long restart without letting a chatty command grow the window's memory. */
export const outputCapChars = 64_000;

function capped(text: string, omittedChars: number, cap: number): StepOutput {
  if (text.length <= cap) return { text, omittedChars };
  return { text: text.slice(text.length - cap), omittedChars: omittedChars + text.length - cap };
}

/** Appends a batch of live output; characters the main process dropped are counted, not invented. */
export function appendOutput(current: StepOutput | undefined, event: Pick<OpOutputEvent, 'text' | 'omittedChars'>, cap = outputCapChars): StepOutput {
  const base = current ?? { text: '', omittedChars: 0 };
  // Characters dropped between two batches cannot be shown in place: they are counted with the hidden head.
  return capped(base.text + event.text, base.omittedChars + event.omittedChars, cap);
}

/**
 * Takes the journaled output of `ops.get` for a step. Live output that arrived while the
 * request was in flight may or may not be in the journal's tail: when the tail already
 * ends with it, the tail is the whole story; otherwise the live text came after it.
 */
export function seedOutput(
  live: StepOutput | undefined,
  journaled: Pick<StepState, 'output' | 'omittedChars'>,
  cap = outputCapChars,
): StepOutput {
  if (!live || live.text === '') return capped(journaled.output, journaled.omittedChars, cap);
  if (journaled.output.endsWith(live.text)) return capped(journaled.output, journaled.omittedChars, cap);
  return capped(journaled.output + live.text, journaled.omittedChars + live.omittedChars, cap);
}
