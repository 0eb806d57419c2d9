/**
 * Pure patching of cached UPS data with a live update. Returns the same array when nothing
 * changed, and keeps every untouched element's identity, so memoised cards of the other UPS do
 * not re-render.
 */
import type { Ups } from '../types';

export function sameUps(a: Ups, b: Ups): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Replace (or append) one UPS in a list. */
export function patchUpsList(list: readonly Ups[] | undefined, update: Ups): Ups[] | undefined {
  if (!list) return list;
  const i = list.findIndex((u) => u.id === update.id);
  if (i === -1) return [...list, update];
  const merged = { ...list[i], ...update };
  if (sameUps(list[i], merged)) return list as Ups[];
  const next = list.slice();
  next[i] = merged;
  return next;
}

/** Merge an update into a single cached UPS. */
export function patchUps(current: Ups | undefined, update: Ups): Ups | undefined {
  if (!current) return current;
  const merged = { ...current, ...update };
  return sameUps(current, merged) ? current : merged;
}
