import { useQuery } from '@tanstack/react-query';
import { listUps } from '../api/endpoints';
import { keys } from '../api/keys';
import { useLiveState } from './useLiveUpdates';
import { usePollIntervalMs } from './usePollInterval';

/** All UPS. Polls at poll_interval while the live stream is down; slowly as a safety net while up. */
export function useUpsList() {
  const pollMs = usePollIntervalMs();
  const live = useLiveState();
  return useQuery({
    queryKey: keys.upsList,
    queryFn: listUps,
    refetchInterval: live === 'live' ? Math.max(pollMs * 10, 60_000) : pollMs,
    refetchIntervalInBackground: false,
  });
}
