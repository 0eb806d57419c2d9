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
import { applyShutdownRunMessage } from '../lib/shutdownLive';
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

/** `snapshot`: the whole list, sent on every (re)connect. Unchanged UPS keep their identity. */
export function applySnapshot(client: QueryClient, mode: 'user' | 'kiosk', payload: unknown): void {
  if (!Array.isArray(payload)) return;
  const list = payload.filter((u): u is Ups => !!u && typeof u === 'object' && typeof (u as Ups).id === 'number');
  const key = mode === 'kiosk' ? keys.kiosk : keys.upsList;
  client.setQueryData<Ups[]>(key, (old) => {
    if (!old) return list;
    const byId = new Map(old.map((u) => [u.id, u]));
    const next = list.map((u) => patchUps(byId.get(u.id), u) ?? u);
    return next.length === old.length && next.every((u, i) => u === old[i]) ? old : next;
  });
}

/** `removed`: a UPS was deleted. */
export function applyRemoved(client: QueryClient, mode: 'user' | 'kiosk', payload: unknown): void {
  const id = (payload as { id?: unknown } | null)?.id;
  if (typeof id !== 'number') return;
  const key = mode === 'kiosk' ? keys.kiosk : keys.upsList;
  client.setQueryData<Ups[]>(key, (old) => old?.filter((u) => u.id !== id));
  if (mode === 'user') client.removeQueries({ queryKey: keys.ups(id) });
}

/** A new power event: refresh the lists that show events. */
export function applyEventMessage(client: QueryClient, payload: unknown): void {
  const ev = payload as (UpsEvent & { ups_id?: number; upsId?: number }) | null;
  const upsId = ev?.ups_id ?? ev?.upsId;
  if (typeof upsId === 'number') void client.invalidateQueries({ queryKey: keys.upsEvents(upsId) });
  void client.invalidateQueries({ queryKey: keys.notificationHistory });
  void client.invalidateQueries({ queryKey: keys.notificationLog });
  // A power event opens or clears alerts.
  void client.invalidateQueries({ queryKey: keys.openAlerts });
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
      };
      // Sent first on every (re)connect: covers whatever changed while we were away.
      es.addEventListener('snapshot', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applySnapshot(client, mode, payload);
      });
      es.addEventListener('removed', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applyRemoved(client, mode, payload);
      });
      es.addEventListener('ups', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applyUpsMessage(client, mode, payload);
      });
      es.addEventListener('event', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applyEventMessage(client, payload);
      });
      // A shutdown plan's run changed (sent to every signed-in user: the dashboard's banner).
      es.addEventListener('shutdown_run', (e) => {
        const payload = parse<unknown>((e as MessageEvent<string>).data);
        if (payload) applyShutdownRunMessage(client, payload);
      });
      // The ticket lives 60 s and the stream ends on a password or role change: rather than let
      // the browser reconnect with an old ticket, start over with a new one.
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
