import { useId } from 'react';
import { FieldErrors } from './Field';

interface CheckboxGroupProps<T extends string> {
  legend: string;
  options: ReadonlyArray<{ value: T; label: string }>;
  selected: readonly T[];
  onChange(selected: T[]): void;
  errors?: readonly string[] | undefined;
  /** Renders the labels in the monospace font (identifiers such as role names). */
  mono?: boolean;
  testId?: string;
}

/** A set of checkboxes drawn as chips; the selection keeps the options' order. */
export function CheckboxGroup<T extends string>({ legend, options, selected, onChange, errors, mono, testId }: CheckboxGroupProps<T>) {
  const errorId = useId();
  const hasErrors = !!errors && errors.length > 0;
  const toggle = (value: T, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    onChange(options.map((option) => option.value).filter((option) => next.has(option)));
  };
  return (
    <fieldset className="checkbox-group" aria-describedby={hasErrors ? errorId : undefined} data-testid={testId}>
      <legend>{legend}</legend>
      <div className="chips">
        {options.map((option) => (
          <label key={option.value} className={mono ? 'chip mono' : 'chip'}>
            <input type="checkbox" checked={selected.includes(option.value)} onChange={(event) => toggle(option.value, event.target.checked)} />
            {option.label}
          </label>
        ))}
      </div>
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  );
}
