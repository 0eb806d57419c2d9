import { useQuery } from '@tanstack/react-query';
import { listOpenAlerts } from '../api/endpoints';
import { keys } from '../api/keys';

/** Every open alert (one request for the dashboard and UPS pages; power events refresh it). */
export function useOpenAlerts() {
  return useQuery({ queryKey: keys.openAlerts, queryFn: listOpenAlerts, refetchInterval: 60_000, staleTime: 10_000 });
}
