/**
 * Live updates over Server-Sent Events, patching the TanStack Query cache so only the changed
 * UPS re-renders. Logged-in clients first get a short-lived ticket (POST /api/stream/ticket) so
 * the long-lived token never goes into a URL; the kiosk uses the public status-only stream.
 * When the stream fails, callers poll (see useLiveState) and the hook retries with back-off.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createStreamTicket } from '../api/endpoints';
import { keys } from '../api/keys';
import { patchUps, patchUpsList } from '../lib/liveCache';
import type { Ups, UpsEvent } from '../types';

export type LiveState = 'connecting' | 'live' | 'polling';

let state: LiveState = 'connecting';
const listeners = new Set<() => void>();
function setState(next: LiveState) {
  if (next === state) return;
  state = next;
  listeners.forEach((l) => l());
}

/** Whether the stream is up: queries poll at poll_interval only while it is not. */
export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
    () => state,
  );
}

function parse<T>(data: string): T | null {
  try {
    return JSON.parse(data) as T;
  } catch {
    return null;
  }
}

/** Apply one `ups` message to the cache (exported for tests). */
export function applyUpsMessage(client: QueryClient, mode: 'user' | 'kiosk', payload: unknown): void {
  const raw = payload as { ups?: Ups } & Ups;
  const ups: Ups | undefined = raw && typeof raw === 'object' && raw.ups && typeof raw.ups === 'object' ? raw.ups : raw;
  if (!ups || typeof ups.id !== 'number') return;
  if (mode === 'kiosk') {
    client.setQueryData<Ups[]>(keys.kiosk, (list) => patchUpsList(list, ups));
    return;
  }
  client.setQueryData<Ups[]>(keys.upsList, (list) => patchUpsList(list, ups));
  client.setQueryData<Ups>(keys.ups(ups.id), (current) => patchUps(current, ups));
}

/** A new power event: refresh the lists that show events. */
export function applyEventMessage(client: QueryClient, payload: unknown): void {
  const ev = payload as (UpsEvent & { ups_id?: number; upsId?: number }) | null;
  const upsId = ev?.ups_id ?? ev?.upsId;
  if (typeof upsId === 'number') void client.invalidateQueries({ queryKey: keys.upsEvents(upsId) });
  void client.invalidateQueries({ queryKey: keys.notificationHistory });
}

const MAX_BACKOFF_MS = 15_000;

export function useLiveUpdates(mode: 'user' | 'kiosk', enabled = true): void {
  const client = useQueryClient();

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') {
      setState('polling');
      return;
    }
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    let failures = 0;

    const resync = () => void client.invalidateQueries({ queryKey: mode === 'kiosk' ? keys.kiosk : keys.upsList });

    const retry = () => {
      source?.close();
      source = null;
      if (stopped) return;
      setState('polling');
      failures += 1;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures, 4));
      timer = setTimeout(connect, delay);
    };

    async function connect() {
      if (stopped) return;
      let url = '/api/stream/kiosk';
      if (mode === 'user') {
        try {
          const { ticket } = await createStreamTicket();
          url = `/api/stream?ticket=${encodeURIComponent(ticket)}`;
        } catch {
          retry();
          return;
        }
      }
      if (stopped) return;
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        failures = 0;
        setState('live');
        resync(); // anything that changed while we were away
      };
      es.addEventListener('ups', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applyUpsMessage(client, mode, payload);
      });
      es.addEventListener('event', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applyEventMessage(client, payload);
      });
      // A ticket is single-use: let the browser's own reconnect go, and start over with a new one.
      es.onerror = () => retry();
    }

    setState('connecting');
    void connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      source?.close();
      setState('connecting');
    };
  }, [client, mode, enabled]);
}
