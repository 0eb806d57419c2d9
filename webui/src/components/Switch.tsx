import { useId } from 'react';

interface Props {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  description?: string;
  disabled?: boolean;
  name?: string;
}

/** An on/off control: a real checkbox with role="switch", so keyboards and screen readers work. */
export function Switch({ label, checked, onChange, description, disabled, name }: Props) {
  const id = useId();
  return (
    <div className="switch-row">
      <input
        id={id}
        name={name}
        type="checkbox"
        role="switch"
        className="switch"
        checked={checked}
        disabled={disabled}
        aria-describedby={description ? `${id}-d` : undefined}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>
        <span className="switch-label">{label}</span>
        {description && (
          <span id={`${id}-d`} className="muted small">
            {description}
          </span>
        )}
      </label>
    </div>
  );
}
