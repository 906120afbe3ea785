import { CONFIRM_LENGTH } from './fingerprint';

/** A fingerprint in monospace, selectable as a whole; `markTail` underlines the characters typed to confirm. */
export function Fingerprint({ value, markTail, testId }: { value: string; markTail?: boolean; testId?: string }) {
  if (!markTail || value.length <= CONFIRM_LENGTH) {
    return (
      <code className="ssh-fingerprint" data-testid={testId}>
        {value}
      </code>
    );
  }
  return (
    <code className="ssh-fingerprint" data-testid={testId}>
      {value.slice(0, -CONFIRM_LENGTH)}
      <mark className="ssh-fingerprint-tail">{value.slice(-CONFIRM_LENGTH)}</mark>
    </code>
  );
}
