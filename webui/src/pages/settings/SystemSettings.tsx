import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, fieldError } from '../../api/client';
import { getSystemSettings, saveSystemSettings } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { currentLocale } from '../../i18n';
import type { SystemSetting, SystemSettings as Answer, SystemSettingsBody } from '../../types';
import { SecurityPolicy } from '../../components/SecurityPolicy';
import { SingleSignOnSettings } from '../../components/SingleSignOnSettings';
import '../../styles/system.css';

type Key = SystemSetting['key'];

const number = (n: number) => new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: 3 }).format(n);

/** Admin: the poller's runtime settings. The form is built from the API's answer (value, default, bounds, unit,
 * source); a setting whose environment variable is set is shown locked. */
export default function SystemSettings() {
  const { t } = useTranslation('system');
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.systemSettings, queryFn: getSystemSettings });
  const save = useMutation({
    mutationFn: (body: SystemSettingsBody) => saveSystemSettings(body),
    onSuccess: (data: Answer) => client.setQueryData(keys.systemSettings, data),
  });
  return (
    <>
    <section className="panel wide-panel system-settings" aria-labelledby="system-title">
      <h2 id="system-title">{t('runtime.title')}</h2>
      <p className="muted small">{t('runtime.intro')}</p>
      {query.isPending && <Loading label={t('runtime.loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && (
        <SystemForm
          key={query.data.settings.map((s) => `${s.key}=${s.value}:${s.source}`).join(',')}
          settings={query.data.settings}
          pending={save.isPending}
          saved={save.isSuccess}
          error={save.error}
          onSave={(body) => save.mutate(body)}
        />
      )}
    </section>
    <SecurityPolicy />
    <SingleSignOnSettings />
    </>
  );
}

interface FormProps {
  settings: SystemSetting[];
  pending: boolean;
  saved: boolean;
  error: unknown;
  onSave: (body: SystemSettingsBody) => void;
}

function SystemForm({ settings, pending, saved, error, onSave }: FormProps) {
  const { t } = useTranslation('system');
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(settings.map((s) => [s.key, String(s.value)])));
  const changed = settings.filter((s) => s.source !== 'env' && values[s.key] !== String(s.value));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, number> = {};
    for (const s of changed) body[s.key] = Number(values[s.key]);
    onSave(body as SystemSettingsBody);
  };
  const reset = (key: Key) => onSave({ [key]: null } as SystemSettingsBody);
  const shownAtField = error instanceof ApiError && !!error.field && settings.some((s) => s.key === error.field);
  return (
    <form onSubmit={submit} aria-label={t('runtime.formLabel')}>
      {settings.map((s) => {
        const unit = t(`runtime.unit.${s.unit}`);
        const bounds = t('runtime.bounds', { default: number(s.default), min: number(s.min), max: number(s.max), unit });
        const locked = s.source === 'env';
        return (
          <div key={s.key} className="system-setting" data-setting={s.key}>
            <Field
              label={t(`runtime.setting.${s.key}.label`)}
              name={s.key}
              type="number"
              min={s.min}
              max={s.max}
              step={s.integer ? 1 : 'any'}
              required
              disabled={locked}
              value={values[s.key] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [s.key]: e.target.value }))}
              hint={`${t(`runtime.setting.${s.key}.help`)} ${bounds}`}
              error={fieldError(error, s.key)}
            />
            <span className={`system-source system-source-${s.source}`}>
              {locked ? t('runtime.source.env', { name: s.env }) : t(`runtime.source.${s.source}`)}
            </span>
            {s.source === 'database' && (
              <button type="button" className="button-secondary button-small" disabled={pending} onClick={() => reset(s.key)}>
                {t('runtime.useDefault')}
              </button>
            )}
          </div>
        );
      })}
      {error !== null && error !== undefined && !shownAtField && <Notice kind="error" error={error} />}
      {saved && !pending && !changed.length && <Notice kind="success">{t('runtime.saved')}</Notice>}
      <div className="button-row">
        <button type="submit" disabled={pending || !changed.length}>
          {pending ? t('runtime.saving') : t('runtime.save')}
        </button>
      </div>
    </form>
  );
}
