import { memo } from 'react';
import { upsStatus, type UpsLike } from '../lib/status';

interface Props {
  ups: UpsLike;
  size?: 'normal' | 'large';
}

/**
 * The headline in words, a symbol and a colour together — never colour alone — and the API's
 * conditions as chips. While the data is not live the headline says so (see LastKnownLine).
 */
export const StatusBadge = memo(function StatusBadge({ ups, size = 'normal' }: Props) {
  const view = upsStatus(ups);
  return (
    <span
      className={`status-badge tone-${view.tone} size-${size} freshness-${view.freshness}`}
      data-testid="status"
      data-tone={view.tone}
      data-freshness={view.freshness}
    >
      <span className="status-main">
        <span aria-hidden="true" className="status-icon">
          {view.icon}
        </span>
        <span className="status-label">{view.label}</span>
      </span>
      {view.chips.map((c) => (
        <span key={`${c.code}:${c.label}`} className={`status-chip chip-${c.tone}`} data-testid="condition" data-tone={c.tone}>
          <span aria-hidden="true">{c.icon} </span>
          {c.label}
        </span>
      ))}
    </span>
  );
});
