import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSettings } from '../../hooks/usePollInterval';
import { useSaveSettings } from '../../hooks/useSaveSettings';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';

export default function GeneralSettings() {
  const { t } = useTranslation('settings');
  const settings = useSettings();
  const save = useSaveSettings();
  const [poll, setPoll] = useState('');
  const serverValue = settings.data ? String(settings.data.poll_interval) : '';
  useEffect(() => setPoll(serverValue), [serverValue]);

  if (settings.isPending) return <Loading />;
  if (settings.isError) return <Notice kind="error" error={settings.error} />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ poll_interval: Number(poll) });
  };
  return (
    <form className="panel settings-form" onSubmit={submit} aria-labelledby="general-title">
      <h2 id="general-title">{t('tabs.general')}</h2>
      <Field
        label={t('general.pollInterval')}
        name="poll_interval"
        type="number"
        min={1}
        max={3600}
        required
        value={poll}
        onChange={(e) => setPoll(e.target.value)}
        hint={t('general.pollHint')}
      />
      {save.isError && <Notice kind="error" error={save.error} />}
      {save.isSuccess && <Notice kind="success">{t('settingsSaved')}</Notice>}
      <button type="submit" disabled={save.isPending}>
        {t('common:actions.save')}
      </button>
    </form>
  );
}
