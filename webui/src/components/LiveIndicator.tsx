import { useTranslation } from 'react-i18next';
import type { LiveState } from '../hooks/useLiveUpdates';

interface Props {
  state: LiveState;
  pollSeconds: number;
}

/** Tells whether updates arrive live or by polling (words, not only a dot). */
export function LiveIndicator({ state, pollSeconds }: Props) {
  const { t } = useTranslation('nav');
  const text = state === 'live' ? t('live.live') : state === 'connecting' ? t('live.connecting') : t('live.polling', { count: pollSeconds });
  return (
    <span className={`live-indicator live-${state}`} data-testid="live-indicator" role="status">
      <span aria-hidden="true" className="live-dot" />
      {text}
    </span>
  );
}
