/**
 * History ranges and the normalisation of the history endpoint's buckets into columns that
 * uPlot draws directly (one array per series, times in Unix seconds).
 */

export type RangeKey = '1h' | '24h' | '7d' | '30d' | '1y';

export const RANGES: readonly { key: RangeKey; label: string; seconds: number }[] = [
  { key: '1h', label: '1 hour', seconds: 3600 },
  { key: '24h', label: '24 hours', seconds: 86400 },
  { key: '7d', label: '7 days', seconds: 7 * 86400 },
  { key: '30d', label: '30 days', seconds: 30 * 86400 },
  { key: '1y', label: '1 year', seconds: 365 * 86400 },
];

/** Enough buckets for a smooth line on a wide screen without shipping more than can be drawn. */
export const HISTORY_POINTS = 600;

export function rangeWindow(key: RangeKey, now: number = Date.now()): { from: string; to: string } {
  const range = RANGES.find((r) => r.key === key) ?? RANGES[1];
  return { from: new Date(now - range.seconds * 1000).toISOString(), to: new Date(now).toISOString() };
}

export type Metric = 'charge' | 'load' | 'runtime' | 'inputVoltage' | 'outputVoltage' | 'batteryVoltage';
export const METRICS: readonly Metric[] = ['charge', 'load', 'runtime', 'inputVoltage', 'outputVoltage', 'batteryVoltage'];

type Cell = number | null;
export interface SeriesColumns {
  min: Cell[];
  avg: Cell[];
  max: Cell[];
}
export interface HistoryColumns {
  /** Unix seconds. */
  t: number[];
  series: Record<Metric, SeriesColumns>;
}

/** The response as the api may shape it: a bare list, or an object holding the list. */
export type HistoryResponse = unknown;

const METRIC_KEYS: Record<Metric, string[]> = {
  charge: ['charge', 'batteryCharge', 'battery_charge'],
  load: ['load'],
  runtime: ['runtimeSeconds', 'runtime', 'runtime_seconds'],
  inputVoltage: ['inputVoltage', 'input_voltage'],
  outputVoltage: ['outputVoltage', 'output_voltage'],
  batteryVoltage: ['batteryVoltage', 'battery_voltage'],
};
const TIME_KEYS = ['t', 'timestamp', 'time', 'bucket', 'start', 'ts'];

function toNum(v: unknown): Cell {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function toSeconds(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? v / 1000 : v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms / 1000;
  }
  return null;
}

function rowsOf(resp: unknown): Record<string, unknown>[] {
  if (Array.isArray(resp)) return resp as Record<string, unknown>[];
  if (resp && typeof resp === 'object') {
    for (const k of ['points', 'buckets', 'data', 'history', 'samples']) {
      const v = (resp as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as Record<string, unknown>[];
    }
  }
  return [];
}

function readStat(row: Record<string, unknown>, names: string[]): { min: Cell; avg: Cell; max: Cell } {
  for (const name of names) {
    const v = row[name];
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const avg = toNum(o.avg ?? o.mean ?? o.value);
      return { min: toNum(o.min) ?? avg, avg, max: toNum(o.max) ?? avg };
    }
    if (typeof v === 'number') return { min: v, avg: v, max: v };
    const avg = toNum(row[`${name}_avg`] ?? row[`${name}Avg`]);
    if (avg !== null) {
      return {
        min: toNum(row[`${name}_min`] ?? row[`${name}Min`]) ?? avg,
        avg,
        max: toNum(row[`${name}_max`] ?? row[`${name}Max`]) ?? avg,
      };
    }
  }
  return { min: null, avg: null, max: null };
}

/** Seconds are what NUT reports and what samples store; the UI charts runtime in minutes. */
function runtimeToMinutes(v: Cell, unit: 'seconds' | 'minutes'): Cell {
  return v === null || unit === 'minutes' ? v : Math.round((v / 60) * 10) / 10;
}

export function normalizeHistory(resp: HistoryResponse): HistoryColumns {
  const rows = rowsOf(resp);
  const unit = resp && typeof resp === 'object' && !Array.isArray(resp) && (resp as Record<string, unknown>).runtimeUnit === 'minutes' ? 'minutes' : 'seconds';
  const empty = (): SeriesColumns => ({ min: [], avg: [], max: [] });
  const out: HistoryColumns = {
    t: [],
    series: { charge: empty(), load: empty(), runtime: empty(), inputVoltage: empty(), outputVoltage: empty(), batteryVoltage: empty() },
  };
  const withTime = rows
    .map((row) => ({ row, t: toSeconds(TIME_KEYS.map((k) => row[k]).find((v) => v !== undefined)) }))
    .filter((x): x is { row: Record<string, unknown>; t: number } => x.t !== null)
    .sort((a, b) => a.t - b.t);
  for (const { row, t } of withTime) {
    out.t.push(t);
    for (const m of METRICS) {
      const stat = readStat(row, METRIC_KEYS[m]);
      const s = out.series[m];
      if (m === 'runtime') {
        s.min.push(runtimeToMinutes(stat.min, unit));
        s.avg.push(runtimeToMinutes(stat.avg, unit));
        s.max.push(runtimeToMinutes(stat.max, unit));
      } else {
        s.min.push(stat.min);
        s.avg.push(stat.avg);
        s.max.push(stat.max);
      }
    }
  }
  return out;
}

export function hasData(cols: HistoryColumns, metric: Metric): boolean {
  return cols.series[metric].avg.some((v) => v !== null);
}
