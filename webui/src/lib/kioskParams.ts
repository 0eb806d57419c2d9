/**
 * Kiosk URL parameters: multi=true|false, ups=1,3,5, rotate=<seconds> (default 10),
 * theme=dark|light, and the API's site/tag filter: site=a,b, tag=x,y (`lib/groups`).
 */
import { groupFilterParams, parseGroupFilter, type GroupFilter } from './groups';

export interface KioskParams {
  multi: boolean;
  /** Selected UPS ids in the order given; empty = all. */
  ups: number[];
  rotateSeconds: number;
  theme: 'dark' | 'light' | null;
  /** Only the UPS of these sites / with these tags; empty = no condition. */
  filter: GroupFilter;
}

export const DEFAULT_ROTATE = 10;
const MIN_ROTATE = 3;
const MAX_ROTATE = 3600;

export function parseKioskParams(search: string | URLSearchParams): KioskParams {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const multiRaw = (p.get('multi') ?? '').toLowerCase();
  const multi = multiRaw === 'true' || multiRaw === '1' || multiRaw === 'yes';

  const ups: number[] = [];
  for (const part of (p.get('ups') ?? '').split(',')) {
    const id = Number(part.trim());
    if (part.trim() !== '' && Number.isInteger(id) && id > 0 && !ups.includes(id)) ups.push(id);
  }

  let rotateSeconds = DEFAULT_ROTATE;
  const rotateRaw = p.get('rotate');
  if (rotateRaw !== null && rotateRaw.trim() !== '') {
    const n = Number(rotateRaw);
    if (Number.isFinite(n) && n > 0) rotateSeconds = Math.min(MAX_ROTATE, Math.max(MIN_ROTATE, Math.round(n)));
  }

  const themeRaw = (p.get('theme') ?? '').toLowerCase();
  const theme = themeRaw === 'dark' || themeRaw === 'light' ? themeRaw : null;
  return { multi, ups, rotateSeconds, theme, filter: parseGroupFilter(p) };
}

export function buildKioskUrl(params: Partial<KioskParams>): string {
  const p = new URLSearchParams();
  if (params.multi) p.set('multi', 'true');
  if (params.ups && params.ups.length) p.set('ups', params.ups.join(','));
  if (params.rotateSeconds && params.rotateSeconds !== DEFAULT_ROTATE) p.set('rotate', String(params.rotateSeconds));
  if (params.theme) p.set('theme', params.theme);
  for (const [key, value] of groupFilterParams(params.filter ?? { sites: [], tags: [] })) p.set(key, value);
  const q = p.toString().replace(/%2C/g, ',');
  return q ? `/kiosk?${q}` : '/kiosk';
}

/** The UPS to show, in the order the URL names them (unknown ids are skipped). */
export function selectKioskUps<T extends { id: number }>(list: readonly T[], ids: readonly number[]): T[] {
  if (!ids.length) return [...list];
  const byId = new Map(list.map((u) => [u.id, u]));
  return ids.map((id) => byId.get(id)).filter((u): u is T => u !== undefined);
}
