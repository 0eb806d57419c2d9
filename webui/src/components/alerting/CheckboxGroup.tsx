import { useId } from 'react';
import { FieldErrorText } from '../Field';

export interface CheckboxOption<T extends string | number> {
  value: T;
  label: string;
  hint?: string;
}

interface Props<T extends string | number> {
  legend: string;
  options: CheckboxOption<T>[];
  selected: readonly T[];
  onChange: (selected: T[]) => void;
  /** The API's complaint about this list. */
  error?: string;
  /** Shown when there is nothing to choose. */
  empty?: string;
}

/** A fieldset of checkboxes; the selection keeps the options' order. */
export function CheckboxGroup<T extends string | number>({ legend, options, selected, onChange, error = '', empty }: Props<T>) {
  const id = useId();
  const toggle = (value: T, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    onChange(options.map((o) => o.value).filter((v) => next.has(v)));
  };
  return (
    <fieldset className="fieldset checkbox-group" aria-describedby={error ? `${id}-e` : undefined}>
      <legend>{legend}</legend>
      {options.length === 0 && empty && <p className="muted small">{empty}</p>}
      {options.map((o) => (
        <label key={String(o.value)} className="checkbox-option">
          <input type="checkbox" checked={selected.includes(o.value)} onChange={(e) => toggle(o.value, e.target.checked)} />{' '}
          <span>{o.label}</span>
          {o.hint && <span className="muted small"> — {o.hint}</span>}
        </label>
      ))}
      <FieldErrorText id={`${id}-e`} message={error} />
    </fieldset>
  );
}
