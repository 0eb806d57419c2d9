import { useQuery } from '@tanstack/react-query';
import { listChannelKinds } from '../api/endpoints';
import { keys } from '../api/keys';
import type { ChannelKindInfo } from '../types';

/** The channel kinds the API offers, with their config fields (they change only on upgrade). */
export function useChannelKinds() {
  return useQuery({ queryKey: keys.channelKinds, queryFn: listChannelKinds, staleTime: 10 * 60_000 });
}

/** A kind's label, or the kind itself when the API no longer offers it. */
export function kindLabel(kinds: readonly ChannelKindInfo[] | undefined, kind: string): string {
  return kinds?.find((k) => k.kind === kind)?.label ?? kind;
}
