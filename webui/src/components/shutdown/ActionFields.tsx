import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ACTION_FIELDS, SECRET_FIELDS, num, type ActionDraft, type SecretField } from '../../lib/shutdownForm';
import { Field, FieldErrorText } from '../Field';
import { Switch } from '../Switch';
import { HostKeyFetch } from './HostKeyFetch';

interface Props {
  action: ActionDraft;
  onChange: (action: ActionDraft) => void;
  upsList: { id: number; displayName: string }[];
  /** The API's complaint about one of this action's fields (by its key: `port`). */
  errorFor: (field: string) => string;
}

const NUMBER_FIELDS = new Set(['port', 'timeout_seconds']);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The inputs of one action, by its type; secrets write-only. */
export function ActionFields({ action, onChange, upsList, errorFor }: Props) {
  const { t, i18n } = useTranslation('shutdown');
  const id = useId();
  const set = (field: string, value: string) => onChange({ ...action, values: { ...action.values, [field]: value } });

  const control = (f: string) => {
    const label = t(`field.${f}`);
    const value = action.values[f] ?? '';
    const error = errorFor(f);
    const secret = (SECRET_FIELDS as string[]).includes(f);
    const saved = secret && action.saved.includes(f as SecretField);
    const hint = saved ? t('field.secretSet') : i18n.exists(`shutdown:fieldHint.${f}`) ? t(`fieldHint.${f}`) : undefined;
    if (f === 'ups_id') {
      return (
        <div className="field" key={f}>
          <label htmlFor={`${id}-${f}`}>{label}</label>
          <select id={`${id}-${f}`} value={value} required aria-invalid={error ? true : undefined} onChange={(e) => set(f, e.target.value)}>
            <option value="">{t('field.chooseUps')}</option>
            {upsList.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.displayName}
              </option>
            ))}
          </select>
          <FieldErrorText message={error} />
        </div>
      );
    }
    if (f === 'method') {
      return (
        <div className="field narrow" key={f}>
          <label htmlFor={`${id}-${f}`}>{label}</label>
          <select id={`${id}-${f}`} value={value} onChange={(e) => set(f, e.target.value)}>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          <FieldErrorText message={error} />
        </div>
      );
    }
    if (f === 'headers' || f === 'body' || f === 'private_key' || f === 'host_key') {
      return (
        <div className="field field-wide" key={f}>
          <label htmlFor={`${id}-${f}`}>{label}</label>
          <textarea
            id={`${id}-${f}`}
            rows={f === 'body' ? 3 : 2}
            value={value}
            spellCheck={false}
            autoComplete="off"
            placeholder={saved ? t('field.secretPlaceholder') : undefined}
            aria-describedby={hint ? `${id}-${f}-h` : undefined}
            aria-invalid={error ? true : undefined}
            onChange={(e) => set(f, e.target.value)}
          />
          {hint && (
            <span id={`${id}-${f}-h`} className="muted small">
              {hint}
            </span>
          )}
          <FieldErrorText message={error} />
          {f === 'host_key' && (
            <HostKeyFetch host={action.values.host ?? ''} port={num(action.values.port ?? '') ?? 22} onAccept={(key) => set('host_key', key)} />
          )}
        </div>
      );
    }
    return (
      <Field
        key={f}
        label={label}
        type={secret ? 'password' : NUMBER_FIELDS.has(f) ? 'number' : 'text'}
        min={NUMBER_FIELDS.has(f) ? 0 : undefined}
        autoComplete={secret ? 'new-password' : 'off'}
        placeholder={saved ? t('field.secretPlaceholder') : undefined}
        className={NUMBER_FIELDS.has(f) ? 'narrow' : undefined}
        value={value}
        hint={hint}
        error={error}
        onChange={(e) => set(f, e.target.value)}
      />
    );
  };

  return (
    <div className="row action-fields">
      {ACTION_FIELDS[action.type].map(control)}
      {action.type === 'http' && (
        <Switch label={t('field.verify_tls')} checked={action.verify_tls} onChange={(v) => onChange({ ...action, verify_tls: v })} />
      )}
    </div>
  );
}
