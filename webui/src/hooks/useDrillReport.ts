import { useQuery } from '@tanstack/react-query';
import { getDrill } from '../api/endpoints';
import { keys } from '../api/keys';

/** How often a running drill's report is fetched again (until it is `done`). */
export const DRILL_POLL_MS = 1_500;

/** A fire drill's report, polled until every delivery has its final outcome. */
export function useDrillReport(id: number, pollMs: number = DRILL_POLL_MS) {
  return useQuery({
    queryKey: keys.drill(id),
    queryFn: () => getDrill(id),
    refetchInterval: (q) => (q.state.data?.done ? false : pollMs),
    refetchIntervalInBackground: true,
  });
}
