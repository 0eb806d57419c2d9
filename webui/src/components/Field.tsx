import { useId, type InputHTMLAttributes } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  hint?: string;
  /** The API's complaint about this field (shown under it, and the input marked invalid). */
  error?: string;
}

/** A labelled input. */
export function Field({ label, hint, error, className, ...input }: Props) {
  const id = useId();
  const described = [hint ? `${id}-h` : '', error ? `${id}-e` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={described || undefined} aria-invalid={error ? true : undefined} {...input} />
      {hint && (
        <span id={`${id}-h`} className="muted small">
          {hint}
        </span>
      )}
      {error && <FieldErrorText id={`${id}-e`} message={error} />}
    </div>
  );
}

/** The API's message for one field, next to it. */
export function FieldErrorText({ id, message }: { id?: string; message: string }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}
