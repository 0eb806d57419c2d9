import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { testChannel, type Channel } from '../api/endpoints';
import { Notice } from './Notice';

interface Props {
  channel: Channel;
  target: string;
  label: string;
}

/** "Send a test" for one channel, showing success or that channel's own error. */
export function ChannelTest({ channel, target, label }: Props) {
  const { t } = useTranslation('notifications');
  const test = useMutation({ mutationFn: () => testChannel(channel, target) });
  return (
    <div className="channel-test" data-testid={`test-${channel}`}>
      <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending || !target.trim()}>
        {test.isPending ? t('channel.sending') : label}
      </button>
      {test.isSuccess && <Notice kind="success">{test.data.message}</Notice>}
      {test.isError && <Notice kind="error">{t('channel.testFailed', { message: test.error.message })}</Notice>}
    </div>
  );
}
