/** Mutes: a UPS's notifications are recorded, not sent, until `mutedUntil`. */
import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import { currentLocale } from '../i18n';
import type { MuteState, Ups } from '../types';

/** Whether `mutedUntil` is still ahead. */
export function isMuted(mutedUntil: string | null | undefined, now: number = Date.now()): boolean {
  if (!mutedUntil) return false;
  const t = Date.parse(mutedUntil);
  return !Number.isNaN(t) && t > now;
}

/** Durations offered for a mute, in minutes (the API takes 1 minute to 30 days). */
export const MUTE_CHOICES: { minutes: number; amount: number; unit: 'minute' | 'hour' | 'day' | 'week' }[] = [
  { minutes: 15, amount: 15, unit: 'minute' },
  { minutes: 60, amount: 1, unit: 'hour' },
  { minutes: 240, amount: 4, unit: 'hour' },
  { minutes: 480, amount: 8, unit: 'hour' },
  { minutes: 1440, amount: 1, unit: 'day' },
  { minutes: 10080, amount: 1, unit: 'week' },
];

/** "4 hours", "4 Stunden", "4 heures": Intl has the unit words of every language. */
export function muteChoiceLabel(c: (typeof MUTE_CHOICES)[number]): string {
  return new Intl.NumberFormat(currentLocale(), { style: 'unit', unit: c.unit, unitDisplay: 'long' }).format(c.amount);
}

/** Puts a mute answer into the cached UPS (list and detail) at once; `upsId` null: every UPS. */
export function applyMuteState(client: QueryClient, upsId: number | null, state: MuteState): void {
  const patch = (u: Ups): Ups => (upsId === null || u.id === upsId ? { ...u, mutedUntil: state.mutedUntil, muteReason: state.muteReason } : u);
  client.setQueryData<Ups[]>(keys.upsList, (list) => list?.map(patch));
  if (upsId !== null) client.setQueryData<Ups>(keys.ups(upsId), (u) => (u ? patch(u) : u));
  // `exact`: ['ups'] is also the prefix of every UPS's detail, events and history.
  void client.invalidateQueries({ queryKey: keys.upsList, exact: true });
  if (upsId !== null) void client.invalidateQueries({ queryKey: keys.ups(upsId), exact: true });
  else void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'ups' && q.queryKey.length === 2 });
}
