import { useTranslation } from 'react-i18next';
import type { LastDelivery } from '../../types';
import { TimeAgo } from '../TimeAgo';

/** A channel's newest delivery: its state, when, and the service's error if it failed. */
export function LastDeliveryLine({ last }: { last: LastDelivery | null }) {
  const { t } = useTranslation('notifications');
  if (!last) return <span className="muted small">{t('channel.nothingSent')}</span>;
  return (
    <span className={`small delivery-${last.state}`} data-testid="last-delivery">
      {t('channel.lastDelivery', { state: t(`drill:deliveryState.${last.state}`, { defaultValue: last.state }) })}
      {last.at && (
        <>
          {' '}
          <TimeAgo iso={last.at} />
        </>
      )}
      {last.error ? ` — ${last.error}` : ''}
    </span>
  );
}
