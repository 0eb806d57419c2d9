import { useTranslation } from 'react-i18next';
import { useId, type ReactNode } from 'react';
import type { DraftValue, HeaderRow } from '../../lib/channelConfig';
import type { ChannelField, ChannelFieldType } from '../../types';
import { FieldErrorText } from '../Field';
import { HeadersInput } from './HeadersInput';

interface Props {
  field: ChannelField;
  value: DraftValue;
  onChange: (value: DraftValue) => void;
  /** The API has a value it does not send back (`{"set": true}`). */
  saved: boolean;
  /** "Remove" was pressed for the saved value: it is sent as "" on save. */
  removing: boolean;
  onRemoveSaved: (removing: boolean) => void;
  error: string;
}

const INPUT_TYPES: Partial<Record<ChannelFieldType, string>> = { url: 'url', secret: 'password', number: 'number' };

/** One config key of a channel, drawn from its descriptor's input type. */
export function ChannelFieldInput({ field, value, onChange, saved, removing, onRemoveSaved, error }: Props) {
  const { t } = useTranslation('notifications');
  const id = useId();
  const keep = saved && !removing;
  const notes: ReactNode[] = [];
  if (saved) notes.push(removing ? t('field.removedOnSave') : t('field.savedKeep'));
  if (field.help) notes.push(field.help);
  else if (field.type === 'emails') notes.push(t('prefs.recipientsHint'));
  const hintId = notes.length ? `${id}-h` : undefined;
  const described = [hintId, error ? `${id}-e` : ''].filter(Boolean).join(' ') || undefined;
  // A saved secret stays as it is when left blank: not required then.
  const required = field.required && !saved;
  const label = field.required ? field.label : t('field.optional', { label: field.label });

  let control: ReactNode;
  if (field.type === 'headers') {
    control = <HeadersInput label={field.label} rows={value as HeaderRow[]} onChange={onChange} describedBy={described} />;
  } else if (field.type === 'template') {
    control = (
      <textarea id={id} name={field.key} rows={5} required={required} placeholder={field.placeholder} value={value as string} aria-describedby={described} aria-invalid={error ? true : undefined} onChange={(e) => onChange(e.target.value)} />
    );
  } else if (field.type === 'select') {
    control = (
      <select id={id} name={field.key} required={required} value={value as string} aria-describedby={described} aria-invalid={error ? true : undefined} onChange={(e) => onChange(e.target.value)}>
        {(!field.required || !(value as string)) && <option value="">{field.required ? t('field.choose') : t('field.default')}</option>}
        {(field.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        id={id}
        name={field.key}
        type={INPUT_TYPES[field.type] ?? 'text'}
        required={required}
        disabled={removing}
        autoComplete={field.secret ? 'new-password' : 'off'}
        placeholder={keep ? t('field.savedPlaceholder') : field.placeholder}
        value={value as string}
        aria-describedby={described}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }

  return (
    <div className="field" data-field={field.key}>
      {field.type === 'headers' ? <span className="field-label">{label}</span> : <label htmlFor={id}>{label}</label>}
      {control}
      {hintId && (
        <span id={hintId} className="muted small">
          {notes.join(' ')}
        </span>
      )}
      {saved && !field.required && (
        <button type="button" className="linklike small" onClick={() => onRemoveSaved(!removing)}>
          {removing ? t('field.keepSaved') : t('field.removeSaved', { label: field.label.toLowerCase() })}
        </button>
      )}
      <FieldErrorText id={`${id}-e`} message={error} />
    </div>
  );
}
