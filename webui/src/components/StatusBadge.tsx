import { memo } from 'react';
import { upsStatus, type UpsLike } from '../lib/status';

interface Props {
  ups: UpsLike;
  size?: 'normal' | 'large';
}

/** Status in words, a symbol and a colour together — never colour alone. */
export const StatusBadge = memo(function StatusBadge({ ups, size = 'normal' }: Props) {
  const view = upsStatus(ups);
  return (
    <span className={`status-badge tone-${view.tone} size-${size}`} data-testid="status" data-tone={view.tone}>
      <span className="status-main">
        <span aria-hidden="true" className="status-icon">
          {view.icon}
        </span>
        <span className="status-label">{view.label}</span>
      </span>
      {view.extras.map((x) => (
        <span key={x} className="status-extra">
          {x}
        </span>
      ))}
      {view.stale && !view.unreachable && <span className="status-extra stale-chip">Stale data</span>}
    </span>
  );
});
