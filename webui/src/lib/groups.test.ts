import { describe, expect, it } from 'vitest';
import { filterByGroup, groupBySite, groupByTag, groupUps, parseGrouping, groupChoices, groupFilterParams, matchesGroupFilter, parseGroupFilter, splitList } from './groups';

const fleet = [
  { id: 1, site: 'paris', tags: ['core', 'rack-a'] },
  { id: 2, site: 'paris', tags: [] },
  { id: 3, site: 'lyon', tags: ['core'] },
  { id: 4, site: null, tags: ['lab'] },
];

describe('groups', () => {
  it('parses the same parameters as the API', () => {
    expect(splitList(' a, b,,a ,c')).toEqual(['a', 'b', 'c']);
    expect(parseGroupFilter('?site=paris,lyon&tag=core')).toEqual({ sites: ['paris', 'lyon'], tags: ['core'] });
    expect(parseGroupFilter('')).toEqual({ sites: [], tags: [] });
    expect(groupFilterParams({ sites: ['a', 'b'], tags: [] })).toEqual([['site', 'a,b']]);
  });

  it('keeps any of the sites and any of the tags, both when both are given', () => {
    const ids = (sites: string[], tags: string[]) => filterByGroup(fleet, { sites, tags }).map((u) => u.id);
    expect(ids([], [])).toEqual([1, 2, 3, 4]);
    expect(ids(['paris'], [])).toEqual([1, 2]);
    expect(ids([], ['core', 'lab'])).toEqual([1, 3, 4]);
    expect(ids(['paris'], ['core'])).toEqual([1]);
    expect(matchesGroupFilter(fleet[3], { sites: ['paris'], tags: ['lab'] })).toBe(false);
  });

  it('groups by site, sites by name and no site last', () => {
    expect(groupBySite(fleet).map((g) => [g.site, g.ups.map((u) => u.id)])).toEqual([
      ['lyon', [3]],
      ['paris', [1, 2]],
      [null, [4]],
    ]);
    expect(groupChoices(fleet)).toEqual({ sites: ['lyon', 'paris'], tags: ['core', 'lab', 'rack-a'] });
  });

  it('groups by tag, a UPS in each of its tags, untagged last', () => {
    expect(groupByTag(fleet).map((g) => [g.key, g.ups.map((u) => u.id)])).toEqual([
      ['core', [1, 3]],
      ['lab', [4]],
      ['rack-a', [1]],
      [null, [2]],
    ]);
    expect(groupUps(fleet, 'none')).toEqual([{ key: null, ups: fleet }]);
    expect(groupUps([], 'none')).toEqual([]);
    expect(parseGrouping('?group=tag')).toBe('tag');
    expect(parseGrouping('?group=junk')).toBe('site');
  });
});
