import type { LiveState } from '../hooks/useLiveUpdates';

interface Props {
  state: LiveState;
  pollSeconds: number;
}

/** Tells whether updates arrive live or by polling (words, not only a dot). */
export function LiveIndicator({ state, pollSeconds }: Props) {
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : `Refreshing every ${pollSeconds} s`;
  return (
    <span className={`live-indicator live-${state}`} data-testid="live-indicator" role="status">
      <span aria-hidden="true" className="live-dot" />
      {text}
    </span>
  );
}
