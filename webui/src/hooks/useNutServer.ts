import { useQuery } from '@tanstack/react-query';
import { listServers } from '../api/endpoints';
import { keys } from '../api/keys';
import type { NutServer } from '../types';

/**
 * The NUT server a UPS is polled from, for admins (`GET /api/nut-servers` is admin only; the
 * UPS object carries only `nutServerId`). Undefined while loading, for others, or when unknown.
 */
export function useNutServer(id: number | null | undefined, isAdmin: boolean): NutServer | undefined {
  const query = useQuery({ queryKey: keys.servers, queryFn: listServers, enabled: isAdmin && typeof id === 'number', staleTime: 60_000 });
  return isAdmin ? query.data?.find((s) => s.id === id) : undefined;
}
