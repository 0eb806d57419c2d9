import { useEffect, useState, type FormEvent } from 'react';
import { useSettings } from '../../hooks/usePollInterval';
import { useSaveSettings } from '../../hooks/useSaveSettings';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';

export default function GeneralSettings() {
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
      <h2 id="general-title">General</h2>
      <Field
        label="Dashboard refresh interval (seconds)"
        name="poll_interval"
        type="number"
        min={1}
        max={3600}
        required
        value={poll}
        onChange={(e) => setPoll(e.target.value)}
        hint="How often the dashboard refreshes when live updates are not available."
      />
      {save.isError && <Notice kind="error" error={save.error} />}
      {save.isSuccess && <Notice kind="success">Settings saved.</Notice>}
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
    </form>
  );
}
