import { useId, type ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

interface FieldProps {
  label: string;
  /** Validation messages for this field, shown under it. */
  errors?: readonly string[] | undefined;
  hint?: string | undefined;
  className?: string;
  children(control: ControlProps): ReactNode;
}

/** A label, its control, and the messages about it, wired together for screen readers. */
export function Field({ label, errors, hint, className, children }: FieldProps) {
  const id = useId();
  const messageId = `${id}-messages`;
  const hasErrors = !!errors && errors.length > 0;
  const describedBy = hasErrors || hint ? messageId : undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': hasErrors || undefined, 'aria-describedby': describedBy })}
      {describedBy && (
        <div id={messageId} className="field-messages">
          {hint && !hasErrors && <p className="field-hint">{hint}</p>}
          {errors?.map((message) => (
            <p key={message} className="field-error" data-testid="field-error">
              {message}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}

/** Messages for a group of checkboxes (a fieldset), which has no single control to label. */
export function FieldErrors({ id, errors }: { id: string; errors: readonly string[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <div id={id} className="field-messages">
      {errors.map((message) => (
        <p key={message} className="field-error" data-testid="field-error">
          {message}
        </p>
      ))}
    </div>
  );
}
