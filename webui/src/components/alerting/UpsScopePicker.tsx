import { useTranslation } from 'react-i18next';
import { i18n } from '../../i18n';
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
  const { t } = useTranslation('alerting');
  const name = useId();
  const chosen = value === 'all' ? [] : value;
  return (
    <div className="ups-scope">
      <div className="radio-row" role="radiogroup" aria-label={t('notifications:history.ups')}>
        <label>
          <input type="radio" name={name} checked={value === 'all'} onChange={() => onChange('all')} /> {t('scope.every')}
        </label>
        <label>
          <input type="radio" name={name} checked={value !== 'all'} onChange={() => onChange(chosen)} /> {t('scope.only')}
        </label>
      </div>
      {value !== 'all' && (
        <CheckboxGroup
          legend={t('notifications:history.ups')}
          options={upsList.map((u) => ({ value: u.id, label: u.displayName }))}
          selected={chosen}
          onChange={onChange}
          error={error}
          empty={t('scope.noUpsYet')}
        />
      )}
      {value === 'all' && error && <span className="field-error">{error}</span>}
    </div>
  );
}

/** "Every UPS", or the chosen UPS by name. */
export function upsScopeText(scope: UpsScope, upsList: readonly Pick<Ups, 'id' | 'displayName'>[]): string {
  if (scope === 'all') return i18n.t('alerting:scope.every');
  const names = scope.map((id) => upsList.find((u) => u.id === id)?.displayName ?? i18n.t('alerting:scope.upsN', { id }));
  return names.length ? names.join(', ') : i18n.t('alerting:scope.none');
}
