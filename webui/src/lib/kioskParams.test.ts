import { describe, expect, it } from 'vitest';
import { buildKioskUrl, parseKioskParams, selectKioskUps } from './kioskParams';

const NONE = { sites: [], tags: [] };
const base = { multi: false, ups: [], rotateSeconds: 10, theme: null, filter: NONE, title: null, lang: null };

describe('parseKioskParams', () => {
  it('has defaults', () => {
    expect(parseKioskParams('')).toEqual(base);
  });
  it('reads every parameter', () => {
    expect(parseKioskParams('?multi=true&ups=1,3,5&rotate=30&theme=light&title=Server%20room&lang=de')).toEqual({
      multi: true,
      ups: [1, 3, 5],
      rotateSeconds: 30,
      theme: 'light',
      filter: NONE,
      title: 'Server room',
      lang: 'de',
    });
  });
  it('takes UPS names and ids mixed, in order, once each', () => {
    expect(parseKioskParams('?ups=rack-b, 3 ,closet,rack-b,3').ups).toEqual(['rack-b', 3, 'closet']);
  });
  it('ignores junk without failing', () => {
    const p = parseKioskParams('?multi=maybe&ups=2,,,2,4&rotate=abc&theme=purple&lang=xx&title=%20%20');
    expect(p).toEqual({ ...base, ups: [2, 4] });
    // Not an id: tried as a name (it matches nothing unless a UPS is called that).
    expect(parseKioskParams('?ups=-1,7.5,007').ups).toEqual(['-1', '7.5', '007']);
  });
  it('keeps the title short and on one line, and reads lang like a browser tag', () => {
    const p = parseKioskParams(`?title=${encodeURIComponent('Line 1\nLine 2')}${'x'.repeat(300)}&lang=FR-ca`);
    expect(p.title).toMatch(/^Line 1 Line 2x+$/);
    expect(p.title!.length).toBe(120);
    expect(p.lang).toBe('fr');
  });
  it('clamps the rotation', () => {
    expect(parseKioskParams('?rotate=0').rotateSeconds).toBe(10);
    expect(parseKioskParams('?rotate=1').rotateSeconds).toBe(3);
    expect(parseKioskParams('?rotate=99999').rotateSeconds).toBe(3600);
    expect(parseKioskParams('?multi=1&theme=DARK')).toMatchObject({ multi: true, theme: 'dark' });
  });
  it('round-trips through buildKioskUrl', () => {
    const params = { multi: true, ups: [3, 'rack-a'], rotateSeconds: 20, theme: 'dark' as const, title: 'Hall B & C', lang: 'it' as const };
    const url = buildKioskUrl(params);
    expect(url).toBe('/kiosk?multi=true&ups=3,rack-a&rotate=20&theme=dark&title=Hall+B+%26+C&lang=it');
    expect(parseKioskParams(url.split('?')[1])).toEqual({ ...params, filter: NONE });
    expect(buildKioskUrl({})).toBe('/kiosk');
  });
  it('carries the site and tag filter', () => {
    const filter = { sites: ['paris', 'lyon'], tags: ['core'] };
    const url = buildKioskUrl({ multi: true, filter });
    expect(url).toBe('/kiosk?multi=true&site=paris,lyon&tag=core');
    expect(parseKioskParams(url.split('?')[1]).filter).toEqual(filter);
  });
});

describe('selectKioskUps', () => {
  const list = [
    { id: 1, name: 'rack-a', upsName: 'rack-a', displayName: 'Rack A' },
    { id: 2, name: 'rack-b', upsName: 'rack-b', displayName: 'rack-b' },
    { id: 3, name: 'closet', upsName: 'closet', displayName: 'Closet' },
    // The same NUT name on another server.
    { id: 4, name: 'closet', upsName: 'closet', displayName: 'closet@lab' },
  ];
  const ids = (refs: (number | string)[]) => selectKioskUps(list, refs).map((u) => u.id);
  it('keeps the order of the URL and skips unknown ids', () => {
    expect(ids([3, 9, 1])).toEqual([3, 1]);
    expect(selectKioskUps(list, [])).toEqual(list);
  });
  it('matches names and display names, case-insensitively, mixed with ids', () => {
    expect(ids(['rack-b', 1])).toEqual([2, 1]);
    expect(ids(['RACK A', 'nope', 2])).toEqual([1, 2]);
    expect(ids(['closet'])).toEqual([3, 4]);
    expect(ids([2, 'rack-b'])).toEqual([2]);
  });
  it('tries a number with no such id as a name', () => {
    expect(selectKioskUps([{ id: 7, name: '42', displayName: '42' }], [42]).map((u) => u.id)).toEqual([7]);
  });
});
