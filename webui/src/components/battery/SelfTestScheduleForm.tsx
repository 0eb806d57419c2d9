import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, fieldError } from '../../api/client';
import { emptyScheduleForm, SCHEDULE_FIELDS, scheduleBody, scheduleFormErrors, scheduleToForm, type ScheduleField, type ScheduleForm } from '../../lib/battery';
import type { SelfTestSchedule, SelfTestScheduleBody } from '../../lib/batteryTypes';
import { weekdayNames } from '../../lib/weekdays';
import type { Ups } from '../../types';
import { UpsScopePicker } from '../alerting/UpsScopePicker';
import { Field } from '../Field';
import { Notice } from '../Notice';

interface Props {
  schedule?: SelfTestSchedule;
  upsList: Pick<Ups, 'id' | 'displayName'>[];
  pending: boolean;
  error: unknown;
  onSubmit: (body: SelfTestScheduleBody) => void;
  onCancel: () => void;
}

/** A self-test schedule: which UPS, which test, weekly or monthly at a time of day, and its safety limits. */
export function SelfTestScheduleForm({ schedule, upsList, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('battery');
  const id = useId();
  const [form, setForm] = useState<ScheduleForm>(() => (schedule ? scheduleToForm(schedule) : emptyScheduleForm()));
  const [checked, setChecked] = useState(false);
  const set = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const local = checked ? scheduleFormErrors(form) : {};
  const errorFor = (field: ScheduleField) => local[field] ?? fieldError(error, field);
  const shownAtField = error instanceof ApiError && !!error.field && (SCHEDULE_FIELDS as readonly string[]).includes(error.field);
  const names = weekdayNames('long');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.keys(scheduleFormErrors(form)).length) return;
    onSubmit(scheduleBody(form));
  };
  return (
    <form className="battery-schedule-form" onSubmit={submit} aria-label={schedule ? t('form.editTitle', { name: schedule.name }) : t('form.newTitle')} noValidate>
      <div className="row">
        <Field label={t('form.name')} required maxLength={100} value={form.name} onChange={(e) => set('name', e.target.value)} error={errorFor('name')} />
        <div className="field narrow">
          <label htmlFor={`${id}-type`}>{t('tests.type')}</label>
          <select id={`${id}-type`} value={form.testType} onChange={(e) => set('testType', e.target.value === 'deep' ? 'deep' : 'quick')}>
            <option value="quick">{t('testType.quick')}</option>
            <option value="deep">{t('testType.deep')}</option>
          </select>
        </div>
      </div>
      <fieldset className="fieldset">
        <legend>{t('form.ups')}</legend>
        <UpsScopePicker value={form.scope} onChange={(v) => set('scope', v)} upsList={upsList} error={errorFor('ups')} />
      </fieldset>
      <div className="row">
        <div className="field narrow">
          <label htmlFor={`${id}-freq`}>{t('form.frequency')}</label>
          <select id={`${id}-freq`} value={form.frequency} onChange={(e) => set('frequency', e.target.value === 'weekly' ? 'weekly' : 'monthly')}>
            <option value="weekly">{t('form.weekly')}</option>
            <option value="monthly">{t('form.monthly')}</option>
          </select>
        </div>
        {form.frequency === 'weekly' ? (
          <div className="field narrow">
            <label htmlFor={`${id}-weekday`}>{t('form.weekday')}</label>
            <select id={`${id}-weekday`} value={form.weekday} onChange={(e) => set('weekday', e.target.value)}>
              {names.map((n, i) => (
                <option key={n} value={String(i)}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <Field
            label={t('form.dayOfMonth')}
            type="number"
            min={1}
            max={28}
            className="narrow"
            value={form.dayOfMonth}
            onChange={(e) => set('dayOfMonth', e.target.value)}
            error={errorFor('dayOfMonth')}
          />
        )}
        <Field label={t('form.timeOfDay')} type="time" required className="narrow" value={form.timeOfDay} onChange={(e) => set('timeOfDay', e.target.value)} error={errorFor('timeOfDay')} />
        <Field label={t('form.timezone')} required placeholder="Europe/Berlin" value={form.timezone} onChange={(e) => set('timezone', e.target.value)} error={errorFor('timezone')} />
      </div>
      <div className="row">
        <Field
          label={t('form.minCharge')}
          type="number"
          min={0}
          max={100}
          className="narrow"
          hint={t('form.minChargeHint')}
          value={form.minCharge}
          onChange={(e) => set('minCharge', e.target.value)}
          error={errorFor('minCharge')}
        />
        <Field
          label={t('form.quietHours')}
          type="number"
          min={0}
          max={720}
          className="narrow"
          hint={t('form.quietHoursHint')}
          value={form.quietHours}
          onChange={(e) => set('quietHours', e.target.value)}
          error={errorFor('quietHours')}
        />
      </div>
      <label className="checkbox-option">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> {t('form.enabled')}
      </label>
      {error != null && !shownAtField && <Notice kind="error" error={error} />}
      <div className="button-row">
        <button type="submit" disabled={pending}>
          {pending ? t('common:actions.saving') : schedule ? t('common:actions.save') : t('form.create')}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}
