import type { LastDelivery } from '../../types';
import { TimeAgo } from '../TimeAgo';

/** A channel's newest delivery: its state, when, and the service's error if it failed. */
export function LastDeliveryLine({ last }: { last: LastDelivery | null }) {
  if (!last) return <span className="muted small">Nothing sent yet</span>;
  return (
    <span className={`small delivery-${last.state}`} data-testid="last-delivery">
      Last delivery: {last.state}
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
