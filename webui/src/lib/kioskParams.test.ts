import { describe, expect, it } from 'vitest';
import { buildKioskUrl, parseKioskParams, selectKioskUps } from './kioskParams';

describe('parseKioskParams', () => {
  it('has defaults', () => {
    expect(parseKioskParams('')).toEqual({ multi: false, ups: [], rotateSeconds: 10, theme: null, filter: { sites: [], tags: [] } });
  });
  it('reads every parameter', () => {
    expect(parseKioskParams('?multi=true&ups=1,3,5&rotate=30&theme=light')).toEqual({ multi: true, ups: [1, 3, 5], rotateSeconds: 30, theme: 'light', filter: { sites: [], tags: [] } });
  });
  it('ignores junk without failing', () => {
    const p = parseKioskParams('?multi=maybe&ups=2,,x,-1,2,7.5,4&rotate=abc&theme=purple');
    expect(p).toEqual({ multi: false, ups: [2, 4], rotateSeconds: 10, theme: null, filter: { sites: [], tags: [] } });
  });
  it('clamps the rotation', () => {
    expect(parseKioskParams('?rotate=0').rotateSeconds).toBe(10);
    expect(parseKioskParams('?rotate=1').rotateSeconds).toBe(3);
    expect(parseKioskParams('?rotate=99999').rotateSeconds).toBe(3600);
    expect(parseKioskParams('?multi=1&theme=DARK')).toMatchObject({ multi: true, theme: 'dark' });
  });
  it('round-trips through buildKioskUrl', () => {
    const url = buildKioskUrl({ multi: true, ups: [3, 1], rotateSeconds: 20, theme: 'dark' });
    expect(url).toBe('/kiosk?multi=true&ups=3,1&rotate=20&theme=dark');
    expect(parseKioskParams(url.split('?')[1])).toEqual({ multi: true, ups: [3, 1], rotateSeconds: 20, theme: 'dark', filter: { sites: [], tags: [] } });
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
  const list = [{ id: 1 }, { id: 2 }, { id: 3 }];
  it('keeps the order of the URL and skips unknown ids', () => {
    expect(selectKioskUps(list, [3, 9, 1])).toEqual([{ id: 3 }, { id: 1 }]);
    expect(selectKioskUps(list, [])).toEqual(list);
  });
});
