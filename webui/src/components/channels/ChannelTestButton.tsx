import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { testNotificationChannel } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Notice } from '../Notice';

interface Props {
  channelId: number;
  channelName: string;
}

/** "Send test" through a saved channel, showing what the service really answered. */
export function ChannelTestButton({ channelId, channelName }: Props) {
  const { t } = useTranslation('notifications');
  const client = useQueryClient();
  const test = useMutation({
    mutationFn: () => testNotificationChannel(channelId),
    // Its last delivery is this test, whatever the outcome.
    onSettled: () => void client.invalidateQueries({ queryKey: keys.channelsAll }),
  });
  const failure = test.error instanceof ApiError && test.error.reason ? test.error.reason : test.error?.message;
  return (
    <div className="channel-test" data-testid="channel-test">
      <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending} aria-label={t('channel.sendTestTo', { name: channelName })}>
        {test.isPending ? t('channel.sending') : t('channel.sendTest')}
      </button>
      {test.isSuccess && (
        <Notice kind={test.data.delivery.state === 'delivered' ? 'success' : 'info'}>
          {test.data.message}
          {test.data.delivery.state !== 'delivered'
            ? ` (${t(`drill:deliveryState.${test.data.delivery.state}`, { defaultValue: test.data.delivery.state })}${test.data.delivery.lastError ? `: ${test.data.delivery.lastError}` : ''})`
            : ''}
        </Notice>
      )}
      {test.isError && <Notice kind="error">{t('channel.testFailed', { message: failure })}</Notice>}
    </div>
  );
}
