import { useId } from 'react';
import type { Ups, UpsScope } from '../../types';
import { CheckboxGroup } from './CheckboxGroup';

interface Props {
  value: UpsScope;
  onChange: (value: UpsScope) => void;
  upsList: readonly Pick<Ups, 'id' | 'displayName'>[];
  error?: string;
}

/** "Every UPS" (also the ones added later) or a chosen few. */
export function UpsScopePicker({ value, onChange, upsList, error }: Props) {
  const name = useId();
  const chosen = value === 'all' ? [] : value;
  return (
    <div className="ups-scope">
      <div className="radio-row" role="radiogroup" aria-label="UPS">
        <label>
          <input type="radio" name={name} checked={value === 'all'} onChange={() => onChange('all')} /> Every UPS
        </label>
        <label>
          <input type="radio" name={name} checked={value !== 'all'} onChange={() => onChange(chosen)} /> Only these
        </label>
      </div>
      {value !== 'all' && (
        <CheckboxGroup
          legend="UPS"
          options={upsList.map((u) => ({ value: u.id, label: u.displayName }))}
          selected={chosen}
          onChange={onChange}
          error={error}
          empty="No UPS yet."
        />
      )}
      {value === 'all' && error && <span className="field-error">{error}</span>}
    </div>
  );
}

/** "Every UPS", or the chosen UPS by name. */
export function upsScopeText(scope: UpsScope, upsList: readonly Pick<Ups, 'id' | 'displayName'>[]): string {
  if (scope === 'all') return 'Every UPS';
  const names = scope.map((id) => upsList.find((u) => u.id === id)?.displayName ?? `UPS #${id}`);
  return names.length ? names.join(', ') : 'No UPS';
}
