import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, fieldError } from '../../api/client';
import {
  DIGEST_FIELDS,
  NAME_MAX,
  PERIODS,
  TIMEZONE_MAX,
  digestBody,
  digestDraft,
  hourText,
  knownTimeZones,
  validateDigest,
  type DigestField,
  type DigestPeriod,
  type DigestSchedule,
  type DigestScheduleBody,
} from '../../lib/digestForm';
import type { NotificationChannel } from '../../types';
import { CheckboxGroup } from '../alerting/CheckboxGroup';
import { Field, FieldErrorText } from '../Field';
import { Notice } from '../Notice';
import { Switch } from '../Switch';

interface Props {
  /** Editing this schedule; else a new one (its zone: the browser's). */
  schedule?: DigestSchedule;
  /** The shared channels (reports go only through shared ones). */
  channels: NotificationChannel[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (body: DigestScheduleBody) => void;
  onCancel?: () => void;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** What report, how often, at what hour of which zone, to which shared channels. */
export function DigestForm({ schedule, channels, submitLabel, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('digests');
  const id = useId();
  const [draft, setDraft] = useState(() => digestDraft(schedule));
  const [checked, setChecked] = useState(false);
  const [zones] = useState(knownTimeZones);
  const problems = checked ? validateDigest(draft) : {};
  const errorFor = (f: DigestField) => (problems[f] ? t(problems[f]) : fieldError(error, f));
  const apiField = error instanceof ApiError ? error.field : null;
  const shownAtField = !!apiField && (DIGEST_FIELDS as string[]).includes(apiField);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.keys(validateDigest(draft)).length === 0) onSubmit(digestBody(draft));
  };
  const periodError = errorFor('period');
  const hourError = errorFor('hour');
  return (
    <form className="rule-form" onSubmit={submit} aria-label={schedule ? t('form.editOf', { name: schedule.name }) : t('form.new')} noValidate>
      <Field
        label={t('form.name')}
        name="digest-name"
        maxLength={NAME_MAX}
        placeholder={t('form.namePlaceholder')}
        value={draft.name}
        onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))}
        error={errorFor('name')}
      />
      <Switch label={t('form.enabled')} name="digest-enabled" checked={draft.enabled} onChange={(enabled) => setDraft((d) => ({ ...d, enabled }))} />
      <div className="field">
        <label htmlFor={`${id}-period`}>{t('form.period')}</label>
        <select
          id={`${id}-period`}
          value={draft.period}
          aria-describedby={`${id}-period-h`}
          aria-invalid={periodError ? true : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, period: e.target.value as DigestPeriod }))}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`period.${p}`)}
            </option>
          ))}
        </select>
        <span id={`${id}-period-h`} className="muted small">
          {t(`periodHint.${draft.period}`)}
        </span>
        <FieldErrorText message={periodError} />
      </div>
      <div className="field narrow">
        <label htmlFor={`${id}-hour`}>{t('form.hour')}</label>
        <select
          id={`${id}-hour`}
          value={String(draft.hour)}
          aria-invalid={hourError ? true : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, hour: Number(e.target.value) }))}
        >
          {HOURS.map((h) => (
            <option key={h} value={String(h)}>
              {hourText(h)}
            </option>
          ))}
        </select>
        <FieldErrorText message={hourError} />
      </div>
      <Field
        label={t('form.timezone')}
        name="digest-timezone"
        maxLength={TIMEZONE_MAX}
        list={zones.length ? `${id}-zones` : undefined}
        autoComplete="off"
        hint={t('form.timezoneHint')}
        value={draft.timezone}
        onChange={(e) => setDraft((d) => ({ ...d, timezone: e.target.value }))}
        error={errorFor('timezone')}
      />
      {zones.length > 0 && (
        <datalist id={`${id}-zones`}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      )}
      <CheckboxGroup
        legend={t('form.channels')}
        options={channels.map((c) => ({ value: c.id, label: c.name, hint: c.enabled ? c.summary : t('form.channelOff', { summary: c.summary }) }))}
        selected={draft.channels}
        onChange={(ids) => setDraft((d) => ({ ...d, channels: ids }))}
        error={errorFor('channels')}
        empty={t('form.noChannels')}
      />
      {error != null && !shownAtField && <Notice kind="error" error={error} />}
      <div className="button-row">
        <button type="submit" disabled={pending}>
          {pending ? t('form.saving') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button-secondary" onClick={onCancel}>
            {t('form.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
