import { useEffect } from 'react';
import { useQuery } from '@tanstack/react-query';
import { getSettings } from '../api/endpoints';
import { keys } from '../api/keys';

export const DEFAULT_POLL_SECONDS = 30;
const KIOSK_KEY = 'powerpulse.pollInterval';

/** The user's settings (shared query: every page reads the same cache entry). */
export function useSettings(enabled = true) {
  return useQuery({ queryKey: keys.settings, queryFn: getSettings, enabled, staleTime: 60_000 });
}

/** The dashboard refresh interval in milliseconds, from the user's poll_interval. */
export function usePollIntervalMs(): number {
  const { data } = useSettings();
  const seconds = Number(data?.poll_interval) || DEFAULT_POLL_SECONDS;
  useEffect(() => {
    try {
      localStorage.setItem(KIOSK_KEY, String(seconds));
    } catch {
      /* ignore */
    }
  }, [seconds]);
  return Math.max(1, seconds) * 1000;
}

/** The kiosk has no user: it reuses the interval last seen in this browser. */
export function kioskPollIntervalMs(): number {
  try {
    const n = Number(localStorage.getItem(KIOSK_KEY));
    if (Number.isFinite(n) && n > 0) return Math.min(n, 30) * 1000;
  } catch {
    /* ignore */
  }
  return 15_000;
}
