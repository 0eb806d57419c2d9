/**
 * Sites and tags in the UI: the same filter as the API's `?site=a,b&tag=x,y` (a UPS matches
 * when it is in any of the sites, carries any of the tags, and both when both are given), and
 * the dashboard's grouping by site. Tag rules are the API's: it answers a bad tag with a 400
 * the editor shows.
 */

export interface GroupFilter {
  sites: string[];
  tags: string[];
}

interface Grouped {
  site: string | null;
  tags: readonly string[];
}

/** `a, b,,c` → ['a', 'b', 'c'] (trimmed, no empties, no duplicates). */
export function splitList(raw: string | null | undefined): string[] {
  const out: string[] = [];
  for (const part of (raw ?? '').split(',')) {
    const value = part.trim();
    if (value && !out.includes(value)) out.push(value);
  }
  return out;
}

export function parseGroupFilter(search: string | URLSearchParams): GroupFilter {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  return { sites: splitList(p.get('site')), tags: splitList(p.get('tag')) };
}

/** The filter as URL parameters (`site`, `tag`), left out when empty. */
export function groupFilterParams(filter: GroupFilter): [string, string][] {
  const out: [string, string][] = [];
  if (filter.sites.length) out.push(['site', filter.sites.join(',')]);
  if (filter.tags.length) out.push(['tag', filter.tags.join(',')]);
  return out;
}

export function matchesGroupFilter(ups: Grouped, filter: GroupFilter): boolean {
  if (filter.sites.length && (ups.site === null || !filter.sites.includes(ups.site))) return false;
  return !filter.tags.length || filter.tags.some((t) => ups.tags.includes(t));
}

export function filterByGroup<T extends Grouped>(list: readonly T[], filter: GroupFilter): T[] {
  return list.filter((u) => matchesGroupFilter(u, filter));
}

/** Every site and every tag of a list, sorted (for the filter's choices). */
export function groupChoices(list: readonly Grouped[]): { sites: string[]; tags: string[] } {
  const sites = new Set<string>();
  const tags = new Set<string>();
  for (const u of list) {
    if (u.site !== null) sites.add(u.site);
    for (const t of u.tags) tags.add(t);
  }
  const byName = (a: string, b: string) => a.localeCompare(b);
  return { sites: [...sites].sort(byName), tags: [...tags].sort(byName) };
}

/** How the dashboard sections its cards (`?group=`): by site (the default), by tag, or not. */
export type Grouping = 'site' | 'tag' | 'none';

export function parseGrouping(search: string | URLSearchParams): Grouping {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const raw = p.get('group');
  return raw === 'tag' || raw === 'none' ? raw : 'site';
}

export interface Section<T> {
  /** The site or tag; null for "No site" / "Untagged", and for the one section of 'none'. */
  key: string | null;
  ups: T[];
}

/** The list in sections by tag, tags by name and "Untagged" last: a UPS with two tags is in
 * both sections. */
export function groupByTag<T extends Grouped>(list: readonly T[]): Section<T>[] {
  const byTag = new Map<string, T[]>();
  const untagged: T[] = [];
  for (const u of list) {
    if (!u.tags.length) untagged.push(u);
    for (const t of u.tags) {
      const section = byTag.get(t);
      if (section) section.push(u);
      else byTag.set(t, [u]);
    }
  }
  const sections: Section<T>[] = [...byTag.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, ups]) => ({ key, ups }));
  return untagged.length ? [...sections, { key: null, ups: untagged }] : sections;
}

export function groupUps<T extends Grouped>(list: readonly T[], grouping: Grouping): Section<T>[] {
  if (grouping === 'tag') return groupByTag(list);
  if (grouping === 'site') return groupBySite(list).map(({ site, ups }) => ({ key: site, ups }));
  return list.length ? [{ key: null, ups: [...list] }] : [];
}

/** The list in sections by site, sites by name and "No site" last; UPS keep their order. */
export function groupBySite<T extends Grouped>(list: readonly T[]): { site: string | null; ups: T[] }[] {
  const bySite = new Map<string | null, T[]>();
  for (const u of list) {
    const section = bySite.get(u.site);
    if (section) section.push(u);
    else bySite.set(u.site, [u]);
  }
  return [...bySite.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([site, ups]) => ({ site, ups }));
}
