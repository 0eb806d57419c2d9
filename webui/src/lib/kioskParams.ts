/**
 * Kiosk URL parameters: multi=true|false, ups=1,rack-a,5 (ids and names mixed), rotate=<seconds>
 * (default 10), theme=dark|light, title=<heading>, lang=en|de|fr|es|it, and the API's site/tag
 * filter: site=a,b, tag=x,y (`lib/groups`).
 */
import { LANGUAGES, type Language } from '../i18n';
import { groupFilterParams, parseGroupFilter, type GroupFilter } from './groups';

export type KioskLanguage = Language;
const KIOSK_LANGUAGES: readonly string[] = LANGUAGES.map((l) => l.code);

/** A UPS as the URL names it: a positive integer is an id, anything else a name. */
export type KioskUpsRef = number | string;

export interface KioskParams {
  multi: boolean;
  /** Selected UPS (ids and names) in the order given; empty = all. */
  ups: KioskUpsRef[];
  rotateSeconds: number;
  theme: 'dark' | 'light' | null;
  /** Only the UPS of these sites / with these tags; empty = no condition. */
  filter: GroupFilter;
  /** The kiosk's heading; null = none. */
  title: string | null;
  /** The language the URL asks for; null = the browser's (or the stored choice). */
  lang: KioskLanguage | null;
}

const MAX_TITLE = 120;
const MAX_NAME = 100;

export const DEFAULT_ROTATE = 10;
const MIN_ROTATE = 3;
const MAX_ROTATE = 3600;

export function parseKioskParams(search: string | URLSearchParams): KioskParams {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const multiRaw = (p.get('multi') ?? '').toLowerCase();
  const multi = multiRaw === 'true' || multiRaw === '1' || multiRaw === 'yes';

  const ups: KioskUpsRef[] = [];
  for (const part of (p.get('ups') ?? '').split(',')) {
    const token = part.trim().slice(0, MAX_NAME);
    if (!token) continue;
    const ref: KioskUpsRef = /^[1-9][0-9]{0,15}$/.test(token) ? Number(token) : token;
    if (!ups.includes(ref)) ups.push(ref);
  }

  let rotateSeconds = DEFAULT_ROTATE;
  const rotateRaw = p.get('rotate');
  if (rotateRaw !== null && rotateRaw.trim() !== '') {
    const n = Number(rotateRaw);
    if (Number.isFinite(n) && n > 0) rotateSeconds = Math.min(MAX_ROTATE, Math.max(MIN_ROTATE, Math.round(n)));
  }

  const themeRaw = (p.get('theme') ?? '').toLowerCase();
  const theme = themeRaw === 'dark' || themeRaw === 'light' ? themeRaw : null;
  // Control characters would only garble the heading; the length keeps it on the wall.
  const title = (p.get('title') ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TITLE) || null;
  const langRaw = (p.get('lang') ?? '').toLowerCase().split('-')[0];
  const lang = KIOSK_LANGUAGES.includes(langRaw) ? (langRaw as KioskLanguage) : null;
  return { multi, ups, rotateSeconds, theme, filter: parseGroupFilter(p), title, lang };
}

export function buildKioskUrl(params: Partial<KioskParams>): string {
  const p = new URLSearchParams();
  if (params.multi) p.set('multi', 'true');
  if (params.ups && params.ups.length) p.set('ups', params.ups.join(','));
  if (params.rotateSeconds && params.rotateSeconds !== DEFAULT_ROTATE) p.set('rotate', String(params.rotateSeconds));
  if (params.theme) p.set('theme', params.theme);
  for (const [key, value] of groupFilterParams(params.filter ?? { sites: [], tags: [] })) p.set(key, value);
  if (params.title) p.set('title', params.title);
  if (params.lang) p.set('lang', params.lang);
  const q = p.toString().replace(/%2C/g, ',');
  return q ? `/kiosk?${q}` : '/kiosk';
}

interface Nameable {
  id: number;
  name?: string | null;
  upsName?: string | null;
  displayName?: string | null;
}

function names(u: Nameable): string[] {
  return [u.name, u.upsName, u.displayName].filter((n): n is string => !!n).map((n) => n.toLowerCase());
}

/**
 * The UPS to show, in the order the URL names them. An id matches by id; a name (case-insensitive)
 * matches the NUT name or the display name, and every UPS of that name (one per NUT server).
 * A number with no such id is tried as a name too. Unknown refs are skipped, nobody is shown twice.
 */
export function selectKioskUps<T extends Nameable>(list: readonly T[], refs: readonly KioskUpsRef[]): T[] {
  if (!refs.length) return [...list];
  const out: T[] = [];
  const add = (u: T) => {
    if (!out.includes(u)) out.push(u);
  };
  for (const ref of refs) {
    const byId = typeof ref === 'number' ? list.find((u) => u.id === ref) : undefined;
    if (byId) {
      add(byId);
      continue;
    }
    const want = String(ref).toLowerCase();
    list.filter((u) => names(u).includes(want)).forEach(add);
  }
  return out;
}
