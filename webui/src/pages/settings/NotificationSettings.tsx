import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSettings } from '../../hooks/usePollInterval';
import { useSaveSettings } from '../../hooks/useSaveSettings';
import { flag } from '../../lib/format';
import type { UserSettings } from '../../types';
import { ChannelTest } from '../../components/ChannelTest';
import { ChannelList } from '../../components/channels/ChannelList';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { NotificationHistory } from '../../components/NotificationHistory';
import { Switch } from '../../components/Switch';

interface Draft {
  notifications_enabled: boolean;
  battery_notifications: boolean;
  low_battery_notifications: boolean;
  email_notifications: boolean;
  self_test_notifications: boolean;
  discord_webhook_url: string;
  slack_webhook_url: string;
  email_recipients: string;
}

function toDraft(s: UserSettings): Draft {
  return {
    notifications_enabled: flag(s.notifications_enabled),
    battery_notifications: flag(s.battery_notifications),
    low_battery_notifications: flag(s.low_battery_notifications),
    email_notifications: flag(s.email_notifications),
    self_test_notifications: flag(s.self_test_notifications),
    discord_webhook_url: s.discord_webhook_url ?? '',
    slack_webhook_url: s.slack_webhook_url ?? '',
    email_recipients: s.email_recipients ?? '',
  };
}

/** Flags are sent as real booleans (the original's 0/1 made toggles snap back). */
export default function NotificationSettings() {
  const { t } = useTranslation('notifications');
  const settings = useSettings();
  const save = useSaveSettings();
  const [draft, setDraft] = useState<Draft | null>(null);
  const serverJson = settings.data ? JSON.stringify(toDraft(settings.data)) : '';
  useEffect(() => {
    if (serverJson) setDraft(JSON.parse(serverJson) as Draft);
  }, [serverJson]);

  if (settings.isPending || (!draft && !settings.isError)) return <Loading />;
  if (settings.isError || !draft) return <Notice kind="error" error={settings.error} />;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));
  const dirty = JSON.stringify(draft) !== serverJson;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ ...draft });
  };
  const off = !draft.notifications_enabled;
  return (
    <>
      <form className="panel settings-form" onSubmit={submit} aria-labelledby="notif-title">
        <h2 id="notif-title">{t('settings:tabs.notifications')}</h2>
        <Switch
          name="notifications_enabled"
          label={t('prefs.enable')}
          description={t('prefs.enableHint')}
          checked={draft.notifications_enabled}
          onChange={(v) => set('notifications_enabled', v)}
        />
        {off && <Notice kind="info">{t('prefs.off')}</Notice>}
        <fieldset className="fieldset">
          <legend>{t('prefs.notifyAbout')}</legend>
          <Switch
            name="battery_notifications"
            label={t('prefs.power')}
            description={t('prefs.powerHint')}
            checked={draft.battery_notifications}
            onChange={(v) => set('battery_notifications', v)}
          />
          <Switch
            name="low_battery_notifications"
            label={t('prefs.lowBattery')}
            description={t('prefs.lowBatteryHint')}
            checked={draft.low_battery_notifications}
            onChange={(v) => set('low_battery_notifications', v)}
          />
          <Switch
            name="self_test_notifications"
            label={t('prefs.tests')}
            description={t('prefs.testsHint')}
            checked={draft.self_test_notifications}
            onChange={(v) => set('self_test_notifications', v)}
          />
        </fieldset>
        <fieldset className="fieldset">
          <legend>Discord</legend>
          <Field label={t('prefs.discordUrl')} name="discord_webhook_url" type="url" placeholder="https://discord.com/api/webhooks/…" value={draft.discord_webhook_url} onChange={(e) => set('discord_webhook_url', e.target.value)} />
          <ChannelTest channel="discord" target={draft.discord_webhook_url} label={t('prefs.testDiscord')} />
        </fieldset>
        <fieldset className="fieldset">
          <legend>Slack</legend>
          <Field label={t('prefs.slackUrl')} name="slack_webhook_url" type="url" placeholder="https://hooks.slack.com/services/…" value={draft.slack_webhook_url} onChange={(e) => set('slack_webhook_url', e.target.value)} />
          <ChannelTest channel="slack" target={draft.slack_webhook_url} label={t('prefs.testSlack')} />
        </fieldset>
        <fieldset className="fieldset">
          <legend>{t('settings:account.email')}</legend>
          <Switch name="email_notifications" label={t('prefs.sendEmail')} checked={draft.email_notifications} onChange={(v) => set('email_notifications', v)} />
          <Field
            label={t('prefs.recipients')}
            name="email_recipients"
            placeholder="ops@example.com, admin@example.com"
            hint={t('prefs.recipientsHint')}
            value={draft.email_recipients}
            onChange={(e) => set('email_recipients', e.target.value)}
          />
          <ChannelTest channel="email" target={draft.email_recipients} label={t('prefs.testEmail')} />
        </fieldset>
        {save.isError && <Notice kind="error" error={save.error} />}
        {save.isSuccess && !dirty && <Notice kind="success">{t('prefs.saved')}</Notice>}
        <div className="button-row">
          <button type="submit" disabled={save.isPending || !dirty}>
            {save.isPending ? t('common:actions.saving') : t('prefs.save')}
          </button>
          {dirty && <span className="muted small">{t('prefs.unsaved')}</span>}
        </div>
      </form>
      <section className="panel settings-form" aria-labelledby="channels-title">
        <h2 id="channels-title">{t('history.yourChannels')}</h2>
        <p className="muted small">{t('prefs.channelsIntro')}</p>
        <ChannelList scope="personal" />
      </section>
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">{t('history.title')}</h2>
        <NotificationHistory />
      </section>
    </>
  );
}
