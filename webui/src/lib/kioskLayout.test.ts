import { describe, expect, it } from 'vitest';
import { kioskGrid, MAX_TILE_FONT, MIN_TILE_FONT } from './kioskLayout';

describe('kioskGrid', () => {
  it('puts a phone in one column at the minimum size rather than squeezing tiles', () => {
    const phone = kioskGrid(3, 340, 560);
    expect(phone).toMatchObject({ columns: 1, rows: 3, scrolls: true });
    // It scrolls anyway: the text takes the width, not the height.
    expect(phone.fontPx).toBeGreaterThan(MIN_TILE_FONT);
    expect(phone.fontPx * 23).toBeLessThanOrEqual(340);
    expect(kioskGrid(12, 360, 600).columns).toBe(1);
  });
  it('fits many UPS on a small wall with more columns rather than one column that scrolls', () => {
    // 10 UPS at 1280x800: four columns of slightly smaller text, no scrolling.
    const g = kioskGrid(10, 1250, 700);
    expect(g).toMatchObject({ columns: 4, scrolls: false });
    expect(g.rows * g.fontPx * 15 + 2 * 16).toBeLessThanOrEqual(700);
  });
  it('chooses the columns from the count and the shape of the screen', () => {
    // 1080p landscape: three UPS side by side would leave most of the height empty.
    const three = kioskGrid(3, 1880, 960);
    expect(three.columns).toBeGreaterThanOrEqual(2);
    expect(three.fontPx).toBeGreaterThan(30);
    // Portrait: the same three stack.
    expect(kioskGrid(3, 1040, 1800).columns).toBe(1);
    expect(kioskGrid(4, 1880, 960).columns).toBe(2);
    expect(kioskGrid(9, 1880, 960).columns).toBe(3);
    expect(kioskGrid(16, 3800, 2000).columns).toBe(4);
  });
  it('scales the text with the screen, up to 4K', () => {
    const hd = kioskGrid(4, 1880, 960).fontPx;
    const uhd = kioskGrid(4, 3800, 2000).fontPx;
    expect(uhd).toBeGreaterThan(hd * 1.8);
    expect(kioskGrid(1, 100_000, 100_000).fontPx).toBe(MAX_TILE_FONT);
  });
  it('never leaves a whole row empty', () => {
    for (let n = 1; n <= 20; n++) {
      const g = kioskGrid(n, 1880, 960);
      expect(g.columns * (g.rows - 1)).toBeLessThan(n);
      expect(g.columns * g.rows).toBeGreaterThanOrEqual(n);
    }
  });
  it('survives nonsense sizes', () => {
    expect(kioskGrid(0, 0, 0)).toEqual({ columns: 1, rows: 1, fontPx: MIN_TILE_FONT, scrolls: true });
    expect(kioskGrid(NaN, -5, NaN)).toEqual({ columns: 1, rows: 1, fontPx: MIN_TILE_FONT, scrolls: true });
  });
});
