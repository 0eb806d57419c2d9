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
  const client = useQueryClient();
  const test = useMutation({
    mutationFn: () => testNotificationChannel(channelId),
    // Its last delivery is this test, whatever the outcome.
    onSettled: () => void client.invalidateQueries({ queryKey: keys.channelsAll }),
  });
  const failure = test.error instanceof ApiError && test.error.reason ? test.error.reason : test.error?.message;
  return (
    <div className="channel-test" data-testid="channel-test">
      <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Send test to ${channelName}`}>
        {test.isPending ? 'Sending…' : 'Send test'}
      </button>
      {test.isSuccess && (
        <Notice kind={test.data.delivery.state === 'delivered' ? 'success' : 'info'}>
          {test.data.message}
          {test.data.delivery.state !== 'delivered' ? ` (${test.data.delivery.state}${test.data.delivery.lastError ? `: ${test.data.delivery.lastError}` : ''})` : ''}
        </Notice>
      )}
      {test.isError && <Notice kind="error">Test failed: {failure}</Notice>}
    </div>
  );
}
