import { Field } from './Field';

/**
 * "Type the cluster's name to confirm": the guard in front of a destructive action on a
 * production cluster. No autocomplete or spellcheck, so the name is typed, not picked.
 */
export function TypedNameField({ label, value, onChange, testId, autoFocus }: { label: string; value: string; onChange(value: string): void; testId?: string; autoFocus?: boolean }) {
  return (
    <div className="dialog-fields">
      <Field label={label}>
        {(control) => (
          <input {...control} autoFocus={autoFocus} autoComplete="off" spellCheck={false} value={value} data-testid={testId} onChange={(event) => onChange(event.target.value)} />
        )}
      </Field>
    </div>
  );
}
