import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { currentLocale } from '../../i18n';
import { hourText, sendOutcome, type DigestSchedule, type DigestScheduleBody, type DigestSent } from '../../lib/digestForm';
import type { NotificationChannel } from '../../types';
import { ConfirmDeleteButton } from '../ConfirmDeleteButton';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { deleteDigestSchedule, digestKeys, sendDigestNow, updateDigestSchedule } from './api';
import { DigestForm } from './DigestForm';

interface Props {
  schedule: DigestSchedule;
  channels: NotificationChannel[];
}

const when = (iso: string) => new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** One schedule: what goes where when, on/off, send now, edit, delete. */
export function DigestRow({ schedule, channels }: Props) {
  const { t } = useTranslation('digests');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => void client.invalidateQueries({ queryKey: digestKeys.schedules });
  const update = useMutation({
    mutationFn: (body: DigestScheduleBody) => updateDigestSchedule(schedule.id, body),
    onSuccess: () => {
      setEditing(false);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: () => deleteDigestSchedule(schedule.id), onSuccess: refresh });
  const send = useMutation({ mutationFn: () => sendDigestNow(schedule.id), onSuccess: refresh });
  const sendTo = schedule.channels.map((id) => channels.find((c) => c.id === id)?.name ?? t('row.channelN', { id }));
  return (
    <li className="panel rule-row" data-testid="digest-row" aria-label={t('row.label', { name: schedule.name })}>
      <div className="rule-main">
        <h3>
          {schedule.name} {!schedule.enabled && <span className="status-chip">{t('row.off')}</span>}
        </h3>
        <p className="small">
          {t('row.summary', { period: t(`period.${schedule.period}`), time: hourText(schedule.hour), zone: schedule.timezone, to: sendTo.join(', ') })}
        </p>
        <p className="muted small">
          {schedule.nextSendAt ? t('row.next', { when: when(schedule.nextSendAt) }) : t('row.paused')}
          {schedule.lastSentAt ? ` · ${t('row.last', { when: when(schedule.lastSentAt), period: schedule.lastPeriod ?? '' })}` : ''}
        </p>
      </div>
      <div className="button-row">
        <Switch
          label={t('form.enabled')}
          name={`digest-enabled-${schedule.id}`}
          checked={schedule.enabled}
          disabled={update.isPending}
          onChange={(enabled) => update.mutate({ enabled })}
        />
        <button type="button" onClick={() => send.mutate()} disabled={send.isPending} aria-label={t('row.sendNowOf', { name: schedule.name })}>
          {send.isPending ? t('row.sending') : t('row.sendNow')}
        </button>
        {!editing && (
          <button type="button" className="button-secondary" onClick={() => setEditing(true)} aria-label={t('form.editOf', { name: schedule.name })}>
            {t('row.edit')}
          </button>
        )}
        <ConfirmDeleteButton what={t('row.what', { name: schedule.name })} onConfirm={() => remove.mutate()} pending={remove.isPending} />
      </div>
      {send.isError && <Notice kind="error" error={send.error} />}
      {send.data && <SendResult sent={send.data} channels={channels} />}
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {update.isError && !editing && <Notice kind="error" error={update.error} />}
      {editing && (
        <DigestForm
          schedule={schedule}
          channels={channels}
          submitLabel={t('form.save')}
          pending={update.isPending}
          error={update.error}
          onSubmit={(body) => update.mutate(body)}
          onCancel={() => {
            setEditing(false);
            update.reset();
          }}
        />
      )}
    </li>
  );
}

/** What "send now" did: the period it covered and each channel's outcome. */
function SendResult({ sent, channels }: { sent: DigestSent; channels: NotificationChannel[] }) {
  const { t } = useTranslation('digests');
  const outcome = sendOutcome(sent);
  const kind = outcome === 'delivered' ? 'success' : outcome === 'partial' ? 'warning' : 'error';
  return (
    <div data-testid="digest-sent">
      <Notice kind={kind}>{t(`sent.${outcome}`, { period: sent.period })}</Notice>
      <ul className="muted small">
        {sent.deliveries.map((d, i) => (
          <li key={`${d.channelId ?? d.channel}-${i}`}>
            {t('sent.delivery', {
              channel: channels.find((c) => c.id === d.channelId)?.name ?? d.channel,
              state: t(`sent.state.${d.state}`, { defaultValue: d.state }),
            })}
            {d.error ? ` — ${d.error}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
