/**
 * The history charts' logic, free of React and uPlot: ranges and zoom (and their URL form), the
 * default range, the API's buckets as uPlot columns (with gaps kept as gaps), and outage /
 * self-test bands from the UPS's events. Which metrics exist, their labels and units come from
 * `GET /api/history/metrics`; nothing here lists them.
 */
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type HistoryResponse = Schemas['HistoryResponse'];
export type HistoryMetric = Schemas['HistoryMetric'];
export type HistoryEvent = Pick<Schemas['UpsEvent'], 'id' | 'kind' | 'occurredAt' | 'details'> & {
  outage?: Pick<Schemas['Outage'], 'startedAt'> | null;
};

export type PresetKey = '1h' | '6h' | '24h' | '7d' | '30d';
export const PRESETS: readonly { key: PresetKey; seconds: number }[] = [
  { key: '1h', seconds: 3600 },
  { key: '6h', seconds: 6 * 3600 },
  { key: '24h', seconds: 86400 },
  { key: '7d', seconds: 7 * 86400 },
  { key: '30d', seconds: 30 * 86400 },
];
/** The default range grows with the data up to this preset, no further (a day is what people look at). */
const DEFAULT_CAP: PresetKey = '24h';

/** Enough buckets for a smooth line on a wide screen without shipping more than can be drawn. */
export const HISTORY_POINTS = 600;

/** Unix seconds, from < to. */
export type Window = readonly [number, number];
export type RangeSpec = { preset: PresetKey } | { from: number; to: number };
export interface HistoryView {
  /** null: not chosen (the default range, sized to the data). */
  range: RangeSpec | null;
  /** A dragged sub-window of the range; null: the whole range. */
  zoom: Window | null;
}

// ---- ranges, zoom and the URL ------------------------------------------------------------------

export const RANGE_PARAM = 'range';
export const ZOOM_PARAM = 'zoom';

function isPreset(s: string | null): s is PresetKey {
  return PRESETS.some((p) => p.key === s);
}

/** Whole seconds as ISO 8601 without milliseconds: 2026-01-31T12:00:00Z. */
export function isoSeconds(seconds: number): string {
  return new Date(Math.round(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "from/to" (ISO 8601 interval) → seconds; null unless both are times and from < to. */
export function parseInterval(raw: string | null): Window | null {
  if (!raw) return null;
  const parts = raw.split('/');
  if (parts.length !== 2) return null;
  const [a, b] = parts.map((p) => Date.parse(p) / 1000);
  return Number.isFinite(a) && Number.isFinite(b) && a < b ? [a, b] : null;
}

export function formatInterval([from, to]: Window): string {
  return `${isoSeconds(from)}/${isoSeconds(to)}`;
}

/** The view a URL describes: `?range=6h` or `?range=<from>/<to>`, and `?zoom=<from>/<to>`. Junk is ignored. */
export function parseView(params: URLSearchParams): HistoryView {
  const raw = params.get(RANGE_PARAM);
  let range: RangeSpec | null = null;
  if (isPreset(raw)) range = { preset: raw };
  else {
    const w = parseInterval(raw);
    if (w) range = { from: w[0], to: w[1] };
  }
  return { range, zoom: parseInterval(params.get(ZOOM_PARAM)) };
}

/** `params` with the view's range and zoom set (others' parameters kept). */
export function withView(params: URLSearchParams, view: HistoryView): URLSearchParams {
  const next = new URLSearchParams(params);
  if (view.range === null) next.delete(RANGE_PARAM);
  else next.set(RANGE_PARAM, 'preset' in view.range ? view.range.preset : formatInterval([view.range.from, view.range.to]));
  if (view.zoom === null) next.delete(ZOOM_PARAM);
  else next.set(ZOOM_PARAM, formatInterval(view.zoom));
  return next;
}

export function presetSeconds(key: PresetKey): number {
  return PRESETS.find((p) => p.key === key)?.seconds ?? 86400;
}

/** The smallest preset covering the oldest sample, at most 24 h; the last hour before any sample. */
export function defaultPreset(firstSample: string | null | undefined, now: number = Date.now()): PresetKey {
  const first = firstSample ? Date.parse(firstSample) : NaN;
  if (Number.isNaN(first)) return '1h';
  const age = (now - first) / 1000;
  const cap = presetSeconds(DEFAULT_CAP);
  return PRESETS.find((p) => p.seconds >= age && p.seconds <= cap)?.key ?? DEFAULT_CAP;
}

/** The window a range stands for at `now` (ms): a preset ends now. */
export function rangeWindow(range: RangeSpec, now: number = Date.now()): Window {
  if ('preset' in range) {
    const to = Math.floor(now / 1000);
    return [to - presetSeconds(range.preset), to];
  }
  return [range.from, range.to];
}

/** A zoom must lie inside the range and span at least a few seconds; otherwise it is dropped. */
export function clampZoom(zoom: Window | null, range: Window): Window | null {
  if (!zoom) return null;
  const from = Math.max(zoom[0], range[0]);
  const to = Math.min(zoom[1], range[1]);
  return to - from >= 10 ? [from, to] : null;
}

// ---- buckets → columns -------------------------------------------------------------------------

type Cell = number | null;
export interface Stats {
  min: Cell[];
  avg: Cell[];
  max: Cell[];
}
export interface HistoryColumns {
  /** Unix seconds, ascending; a null row marks a gap (no samples). */
  t: number[];
  /** By metric name (`HistoryMetric.name`). */
  series: Record<string, Stats>;
  /** Buckets hold several samples each: min/max bands say something. */
  bucketed: boolean;
}

function num(v: unknown): Cell {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The buckets as aligned columns. The API leaves empty buckets out, so wherever two buckets lie
 * further apart than two sample intervals a row of nulls is put in: uPlot then breaks the line
 * there instead of drawing across the time nothing was recorded.
 */
export function toColumns(resp: HistoryResponse, metrics: readonly Pick<HistoryMetric, 'name'>[]): HistoryColumns {
  const points = [...(resp.points ?? [])]
    .map((p) => ({ p, t: Date.parse(p.time) / 1000 }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t);
  const step = Math.max(resp.bucketSeconds || 1, resp.sampleSeconds || 1);
  const out: HistoryColumns = { t: [], series: {}, bucketed: (resp.bucketSeconds || 0) > (resp.sampleSeconds || 0) };
  for (const m of metrics) out.series[m.name] = { min: [], avg: [], max: [] };
  const push = (t: number, row: Record<string, unknown> | null) => {
    out.t.push(t);
    for (const m of metrics) {
      const stat = (row?.[m.name] ?? null) as { min?: unknown; avg?: unknown; max?: unknown } | null;
      const s = out.series[m.name];
      s.avg.push(num(stat?.avg));
      s.min.push(num(stat?.min));
      s.max.push(num(stat?.max));
    }
  };
  let last: number | null = null;
  for (const { p, t } of points) {
    if (last !== null && t - last > 2 * step) push(last + (resp.bucketSeconds || step), null);
    push(t, p as unknown as Record<string, unknown>);
    last = t;
  }
  return out;
}

export function hasData(cols: HistoryColumns, metric: string): boolean {
  return cols.series[metric]?.avg.some((v) => v !== null) ?? false;
}

/** The last value of a column and its time: what a legend shows when nobody hovers. */
export function latest(t: readonly number[], values: readonly Cell[]): { t: number; value: number } | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null) return { t: t[i], value: v };
  }
  return null;
}

/** Metrics in API order, grouped into charts by their `chart` (the three voltages share one). */
export function chartGroups<M extends Pick<HistoryMetric, 'chart'>>(metrics: readonly M[]): { chart: string; metrics: M[] }[] {
  const groups = new Map<string, M[]>();
  for (const m of metrics) groups.set(m.chart, [...(groups.get(m.chart) ?? []), m]);
  return [...groups].map(([chart, ms]) => ({ chart, metrics: ms }));
}

// ---- units -------------------------------------------------------------------------------------

/** Runtime comes in seconds; people read minutes. Other units are shown as the API gives them. */
export function displayUnit(unit: string): string {
  return unit === 's' ? 'min' : unit;
}

export function toDisplay(unit: string, v: Cell): Cell {
  return v === null || unit !== 's' ? v : v / 60;
}

const DECIMALS: Record<string, number> = { V: 1, '°C': 1, Hz: 2, min: 0, '%': 0, W: 0 };

/**
 * A displayed value (already in `unit`) in the chosen locale: "230.1 V", "230,1 V", "95%", "95 %".
 * `symbol`: the unit as written in that language ("Min." for min), when it differs.
 */
export function formatReading(v: Cell, unit: string, locale: string, symbol: string = unit): string {
  if (v === null) return '–';
  const digits = DECIMALS[unit] ?? 1;
  if (unit === '%') return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(v / 100);
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
  return symbol ? `${n} ${symbol}` : n;
}

// ---- outages and self-tests from events -------------------------------------------------------

export type BandKind = 'outage' | 'selftest';
export interface TimeBand {
  kind: BandKind;
  /** Unix seconds, clipped to the window. */
  from: number;
  to: number;
  /** Still going on at the end of the window. */
  open: boolean;
}

/**
 * On battery → back on mains, and self-test started → ended, as time bands inside `window`.
 * The API pairs them: an `online` event carries its outage's start (`outage.startedAt`, even
 * when that is older than every event fetched), a self-test's end its duration; an unpaired
 * start is used only when those are missing. A band still going on (the last power event is
 * on battery, a test has not ended) runs to the window's end. Events may come in any order.
 */
export function eventBands(events: readonly HistoryEvent[], window: Window): TimeBand[] {
  const sorted = events
    .map((e) => ({ e, t: Date.parse(e.occurredAt) / 1000 }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t || a.e.id - b.e.id);
  const raw: TimeBand[] = [];
  let outage: number | null = null;
  let test: number | null = null;
  for (const { e, t } of sorted) {
    const details = (e.details ?? {}) as Record<string, unknown>;
    if (e.kind === 'on_battery') {
      outage ??= t;
    } else if (e.kind === 'online') {
      const started = e.outage?.startedAt ? Date.parse(e.outage.startedAt) / 1000 : NaN;
      const from = Number.isFinite(started) ? started : outage;
      if (from !== null && from <= t) raw.push({ kind: 'outage', from, to: t, open: false });
      outage = null;
    } else if (e.kind === 'self_test' && details.phase === 'started') {
      test ??= t;
    } else if (e.kind === 'self_test' && details.phase === 'ended') {
      const d = details.durationSeconds;
      const from = typeof d === 'number' && Number.isFinite(d) && d >= 0 ? t - d : test;
      if (from !== null) raw.push({ kind: 'selftest', from, to: t, open: false });
      test = null;
    }
  }
  if (outage !== null) raw.push({ kind: 'outage', from: outage, to: Infinity, open: true });
  if (test !== null) raw.push({ kind: 'selftest', from: test, to: Infinity, open: true });
  const [lo, hi] = window;
  return raw
    .filter((b) => b.to >= lo && b.from <= hi)
    .map((b) => ({ ...b, from: Math.max(b.from, lo), to: Math.min(b.to, hi) }))
    .sort((a, b) => a.from - b.from);
}

// ---- the CSV download --------------------------------------------------------------------------

/** The file name in a Content-Disposition header, else `fallback`. */
export function dispositionFilename(header: string | null, fallback: string): string {
  const m = header ? /filename="?([^";]+)"?/i.exec(header) : null;
  return m?.[1] ?? fallback;
}
