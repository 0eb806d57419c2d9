import { useTranslation } from 'react-i18next';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, fieldError } from '../../api/client';
import { weekdayNames } from '../../lib/weekdays';
import type { MaintenanceWindowBody, Ups } from '../../types';
import { Field } from '../Field';
import { Notice } from '../Notice';
import { CheckboxGroup } from './CheckboxGroup';

interface Props {
  upsList: Pick<Ups, 'id' | 'displayName'>[];
  pending: boolean;
  error: unknown;
  onSubmit: (body: MaintenanceWindowBody) => void;
  onCancel: () => void;
}

const FIELDS = ['ups_id', 'days', 'start', 'minutes', 'timezone', 'reason'];

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** A weekly window (e.g. Sundays 02:00 for 3 h) during which notifications are only recorded. */
export function MaintenanceWindowForm({ upsList, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('alerting');
  const id = useId();
  const [upsId, setUpsId] = useState<number | null>(null);
  const [days, setDays] = useState<number[]>([6]);
  const [start, setStart] = useState('02:00');
  const [minutes, setMinutes] = useState('120');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [reason, setReason] = useState('');
  const names = weekdayNames('long');
  const errorFor = (field: string) => fieldError(error, field);
  const shownAtField = error instanceof ApiError && !!error.field && FIELDS.includes(error.field);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ ups_id: upsId, days, start, minutes: Number(minutes), timezone: timezone.trim(), reason: reason.trim() });
  };
  return (
    <form className="window-form" onSubmit={submit} aria-label={t('maintenance.new')}>
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-ups`}>{t('notifications:history.ups')}</label>
          <select id={`${id}-ups`} value={upsId ?? ''} onChange={(e) => setUpsId(e.target.value ? Number(e.target.value) : null)}>
            <option value="">{t('scope.every')}</option>
            {upsList.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName}
              </option>
            ))}
          </select>
          {errorFor('ups_id') && <span className="field-error">{errorFor('ups_id')}</span>}
        </div>
        <Field label={t('alerts:mute.reason')} name="window-reason" maxLength={200} placeholder={t('maintenance.reasonPlaceholder')} value={reason} onChange={(e) => setReason(e.target.value)} error={errorFor('reason')} />
      </div>
      <CheckboxGroup legend={t('maintenance.days')} options={names.map((n, i) => ({ value: i, label: n }))} selected={days} onChange={setDays} error={errorFor('days')} />
      <div className="row">
        <Field label={t('maintenance.startsAt')} name="window-start" type="time" required className="narrow" value={start} onChange={(e) => setStart(e.target.value)} error={errorFor('start')} />
        <Field label={t('maintenance.lasts')} name="window-minutes" type="number" min={1} required className="narrow" value={minutes} onChange={(e) => setMinutes(e.target.value)} error={errorFor('minutes')} />
        <Field label={t('maintenance.timezone')} name="window-timezone" required placeholder="Europe/Paris" value={timezone} onChange={(e) => setTimezone(e.target.value)} error={errorFor('timezone')} />
      </div>
      {error != null && !shownAtField && <Notice kind="error" error={error} />}
      <div className="button-row">
        <button type="submit" disabled={pending}>
          {pending ? t('common:actions.saving') : t('maintenance.add')}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}
