import { useId, type InputHTMLAttributes } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  hint?: string;
}

/** A labelled input. */
export function Field({ label, hint, className, ...input }: Props) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-h` : undefined} {...input} />
      {hint && (
        <span id={`${id}-h`} className="muted small">
          {hint}
        </span>
      )}
    </div>
  );
}
