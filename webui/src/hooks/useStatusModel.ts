import { useQuery } from '@tanstack/react-query';
import { getStatusModel } from '../api/endpoints';
import { keys } from '../api/keys';

/** The API's status model (public, the same for the life of the server): fetched once. */
export function useStatusModel() {
  return useQuery({ queryKey: keys.statusModel, queryFn: getStatusModel, staleTime: Infinity, gcTime: Infinity });
}
