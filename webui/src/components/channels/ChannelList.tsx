import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { listNotificationChannels } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { useChannelKinds } from '../../hooks/useChannelKinds';
import { useSession } from '../../hooks/useSession';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { AddChannel } from './AddChannel';
import { ChannelRow } from './ChannelRow';

interface Props {
  /** Your own channels, or (admins) the shared ones alert rules send through. */
  scope: 'personal' | 'shared';
}

/** A list of saved channels with "Add channel". */
export function ChannelList({ scope }: Props) {
  const { t } = useTranslation('notifications');
  const { isAdmin } = useSession();
  const kinds = useChannelKinds();
  const channels = useQuery({ queryKey: keys.channels(scope), queryFn: () => listNotificationChannels(scope) });
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  // Admin-only kinds can reach any host: only admins see them.
  const creatable = (kinds.data ?? []).filter((k) => isAdmin || !k.adminOnly);
  const list = channels.data ?? [];

  return (
    <div className="channel-list" data-testid={`channels-${scope}`}>
      {channels.isPending && <Loading label={t('channel.loading')} />}
      {channels.isError && <Notice kind="error" error={channels.error} />}
      {kinds.isError && <Notice kind="error" error={kinds.error} />}
      {channels.isSuccess && list.length === 0 && (
        <p className="muted">{scope === 'shared' ? t('channel.noneShared') : t('channel.none')}</p>
      )}
      {list.length > 0 && (
        <ul className="channel-rows">
          {list.map((c) => (
            <ChannelRow key={c.id} channel={c} kind={kinds.data?.find((k) => k.kind === c.kind)} />
          ))}
        </ul>
      )}
      {message && <Notice kind="success">{message}</Notice>}
      {adding ? (
        <AddChannel
          kinds={creatable}
          shared={scope === 'shared'}
          isAdmin={isAdmin}
          onCancel={() => setAdding(false)}
          onDone={(msg) => {
            setAdding(false);
            setMessage(msg);
          }}
        />
      ) : (
        <button
          type="button"
          onClick={() => {
            setAdding(true);
            setMessage('');
          }}
          disabled={!kinds.data}
        >
          {scope === 'shared' ? t('channel.addShared') : t('channel.add')}
        </button>
      )}
    </div>
  );
}
