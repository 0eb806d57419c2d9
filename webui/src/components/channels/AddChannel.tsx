import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createNotificationChannel } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { ChannelKindInfo } from '../../types';
import { ChannelForm, type ChannelFormValues } from './ChannelForm';

interface Props {
  /** The kinds this user may create (non-admins: none that is admin-only). */
  kinds: ChannelKindInfo[];
  /** A shared channel (admins, for alert rules) rather than a personal one. */
  shared: boolean;
  isAdmin: boolean;
  onDone: (message: string) => void;
  onCancel: () => void;
}

/** Pick a kind, then fill in the form its descriptor draws. */
export function AddChannel({ kinds, shared, isAdmin, onDone, onCancel }: Props) {
  const { t } = useTranslation('notifications');
  const client = useQueryClient();
  const [kindName, setKindName] = useState('');
  const kind = kinds.find((k) => k.kind === kindName);
  const create = useMutation({
    mutationFn: (values: ChannelFormValues) =>
      createNotificationChannel({ kind: kindName, name: values.name, config: values.config, enabled: true, ...(shared ? { shared: true } : {}) }),
    onSuccess: (channel) => {
      void client.invalidateQueries({ queryKey: keys.channelsAll });
      onDone(t('channel.added', { name: channel.name }));
    },
  });
  const pickId = shared ? 'new-shared-channel-kind' : 'new-channel-kind';
  return (
    <div className="panel add-channel">
      <div className="field narrow">
        <label htmlFor={pickId}>{t('channel.kind')}</label>
        <select
          id={pickId}
          value={kindName}
          onChange={(e) => {
            setKindName(e.target.value);
            create.reset();
          }}
        >
          <option value="">{t('channel.chooseService')}</option>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {kind && isAdmin && kind.selfHosted && <p className="muted small">{t('channel.selfHosted')}</p>}
      {kind ? (
        <ChannelForm key={kind.kind} kind={kind} submitLabel={t('channel.add')} pending={create.isPending} error={create.error} onSubmit={(v) => create.mutate(v)} onCancel={onCancel} />
      ) : (
        <button type="button" className="button-secondary" onClick={onCancel}>
          {t('common:actions.cancel')}
        </button>
      )}
    </div>
  );
}
