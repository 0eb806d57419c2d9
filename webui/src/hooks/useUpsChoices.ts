import { useQuery } from '@tanstack/react-query';
import { listUps } from '../api/endpoints';
import { keys } from '../api/keys';

/** The UPS list the app already keeps (the dashboard's cache), for pickers in forms. */
export function useUpsChoices() {
  return useQuery({ queryKey: keys.upsList, queryFn: listUps, staleTime: 60_000 });
}
