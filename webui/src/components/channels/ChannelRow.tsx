import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteNotificationChannel, updateNotificationChannel } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { ChannelKindInfo, NotificationChannel } from '../../types';
import { ConfirmDeleteButton } from '../ConfirmDeleteButton';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { ChannelForm, type ChannelFormValues } from './ChannelForm';
import { ChannelTestButton } from './ChannelTestButton';
import { LastDeliveryLine } from './LastDeliveryLine';

interface Props {
  channel: NotificationChannel;
  /** Its kind's descriptor (undefined: the API no longer offers the kind; it can only go). */
  kind: ChannelKindInfo | undefined;
}

/** One saved channel: what and where, on/off, last delivery, test, edit, delete. */
export function ChannelRow({ channel, kind }: Props) {
  const { t } = useTranslation('notifications');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => void client.invalidateQueries({ queryKey: keys.channelsAll });
  const update = useMutation({
    mutationFn: (body: Parameters<typeof updateNotificationChannel>[1]) => updateNotificationChannel(channel.id, body),
    onSuccess: () => {
      setEditing(false);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: () => deleteNotificationChannel(channel.id), onSuccess: refresh });
  const label = kind?.label ?? channel.kind;
  // The seed's Discord/Slack/email fields are personal channels too (`slot`): managed by them.
  const fromSeedField = channel.slot !== null;
  const save = (values: ChannelFormValues) => update.mutate({ name: values.name, config: values.config });

  return (
    <li className="panel channel-row" data-testid="channel-row" data-channel-id={channel.id} aria-label={`${channel.name} (${label})`}>
      <div className="channel-main">
        <h3>
          {channel.name} <span className="status-chip">{label}</span>
          {!channel.enabled && <span className="status-chip">{t('common:state.off')}</span>}
        </h3>
        <p className="muted small">{channel.summary}</p>
        <p>
          <LastDeliveryLine last={channel.lastDelivery} />
        </p>
        {fromSeedField && (
          <p className="muted small" data-testid="slot-note">
            {t('channel.slotNote', { kind: label })}
          </p>
        )}
      </div>
      <div className="channel-actions">
        {!fromSeedField && (
          <Switch label={t('common:state.enabled')} name={`enabled-${channel.id}`} checked={channel.enabled} disabled={update.isPending} onChange={(enabled) => update.mutate({ enabled })} />
        )}
        <ChannelTestButton channelId={channel.id} channelName={channel.name} />
        {!fromSeedField && (
          <div className="button-row">
            {kind && !editing && (
              <button type="button" className="button-secondary" onClick={() => setEditing(true)} aria-label={t('servers:editOf', { name: channel.name })}>
                {t('common:actions.edit')}
              </button>
            )}
            <ConfirmDeleteButton what={channel.name} onConfirm={() => remove.mutate()} pending={remove.isPending} />
          </div>
        )}
      </div>
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {update.isError && !editing && <Notice kind="error" error={update.error} />}
      {editing && kind && (
        <div className="channel-edit">
          <ChannelForm
            kind={kind}
            channel={channel}
            submitLabel={t('channel.save')}
            pending={update.isPending}
            error={update.error}
            onSubmit={save}
            onCancel={() => {
              setEditing(false);
              update.reset();
            }}
          />
        </div>
      )}
    </li>
  );
}
