/**
 * The kiosk grid's shape: how many columns, and how large a tile's text may be so that the
 * tiles fill the screen. Pure, so it is tested without a browser; KioskPage feeds it the size
 * of its main area.
 */

/** A tile's content at font-size 1px, in px (measured on the real tile, with some slack). */
export const TILE_EM_WIDTH = 23;
export const TILE_EM_HEIGHT = 15;
/** Below this a phone scrolls vertically rather than shrinking text further. */
export const MIN_TILE_FONT = 12;
export const MAX_TILE_FONT = 160;

export interface KioskGrid {
  columns: number;
  rows: number;
  /** The font-size of every tile, in px; their sizes are all in em. */
  fontPx: number;
  /** The tiles cannot fit the height at the minimum size (a phone): the page scrolls. */
  scrolls: boolean;
}

/**
 * Tries every column count whose tiles are wide enough for the minimum text and keeps the one
 * whose cells fit the largest tile; a tie keeps fewer columns. `gap` is the space between
 * cells, in px. When even the best is below the minimum (a phone), the page scrolls.
 */
export function kioskGrid(count: number, width: number, height: number, gap = 16): KioskGrid {
  const n = Math.max(1, Math.floor(count) || 1);
  const w = Number.isFinite(width) ? Math.max(0, width) : 0;
  const h = Number.isFinite(height) ? Math.max(0, height) : 0;
  let best = { columns: 1, rows: n, fontPx: 0 };
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    // A column count that leaves a whole row empty is never better than one fewer.
    if (columns > 1 && Math.ceil(n / (columns - 1)) === rows) continue;
    const widthFont = (w - gap * (columns - 1)) / columns / TILE_EM_WIDTH;
    if (columns > 1 && widthFont < MIN_TILE_FONT) break; // more columns are only narrower
    const font = Math.min(widthFont, (h - gap * (rows - 1)) / rows / TILE_EM_HEIGHT);
    if (font > best.fontPx + 0.01) best = { columns, rows, fontPx: font };
  }
  let font = best.fontPx;
  const scrolls = font < MIN_TILE_FONT;
  if (scrolls) {
    // It scrolls anyway (a phone): use the width for readable text, within reason.
    const widthFont = (w - gap * (best.columns - 1)) / best.columns / TILE_EM_WIDTH;
    font = Math.min(widthFont, MIN_TILE_FONT * 1.2);
  }
  const fontPx = Math.round(Math.min(MAX_TILE_FONT, Math.max(MIN_TILE_FONT, font)) * 10) / 10;
  return { ...best, fontPx, scrolls };
}
