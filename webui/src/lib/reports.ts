/**
 * Pure logic of the Reports page: the filters as API query strings (outages, fleet timeline,
 * energy, raw history), local date ranges as UTC instants, export file names, and the words for
 * energy figures (kWh, cost, coverage). The calls are in reportsApi.ts, the texts in `reports`.
 */
import { currentLocale, i18n } from '../i18n';
import type { components } from '../api/schema';
import { MISSING, formatNumber, formatPercent } from './format';

type Schemas = components['schemas'];
export type OutageRecord = Schemas['OutageRecord'];
export type OutagePage = Schemas['OutagePage'];
export type TimelineEvent = Schemas['TimelineEvent'];
export type TimelinePage = Schemas['TimelinePage'];
export type EnergySummary = Schemas['EnergySummary'];
export type EnergyRow = Schemas['EnergyRow'];
export type EnergyFigures = Schemas['EnergyFigures'];

export type ExportFormat = 'csv' | 'json';
export type EnergyGroup = 'ups' | 'site' | 'day' | 'month';
export const ENERGY_GROUPS: readonly EnergyGroup[] = ['ups', 'site', 'day', 'month'];

// ---- filters --------------------------------------------------------------------------------

export interface ReportFilter {
  /** '': every UPS. */
  ups: string;
  /** '': every site. */
  site: string;
  /** Local calendar days `YYYY-MM-DD` ('' : open). `to` includes its whole day. */
  from: string;
  to: string;
}

export const EMPTY_FILTER: ReportFilter = { ups: '', site: '', from: '', to: '' };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** ISO-8601 UTC with "Z" and whole seconds (what the API parses). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A local day's start as an instant (ms); `plusDays` moves it by whole local days. */
export function localDayStart(day: string, plusDays = 0): number | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).getTime();
  return Number.isNaN(t) ? null : t;
}

/** The filter's days as `from`/`to` instants: from the first day's local midnight to the end of the last day. */
export function filterBounds(filter: ReportFilter): { from: string | null; to: string | null } {
  const from = localDayStart(filter.from);
  const to = localDayStart(filter.to, 1);
  return { from: from === null ? null : isoSeconds(from), to: to === null ? null : isoSeconds(to - 1000) };
}

function filterParams(filter: ReportFilter): URLSearchParams {
  const q = new URLSearchParams();
  const { from, to } = filterBounds(filter);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  if (/^\d+$/.test(filter.ups)) q.set('ups', filter.ups);
  if (filter.site.trim()) q.set('site', filter.site.trim());
  return q;
}

/** `/api/outages?…`: a page (`limit`, `cursor`) or, with `format`, the export of every match. */
export function outagesPath(filter: ReportFilter, options: { format?: ExportFormat; limit?: number; cursor?: string | null } = {}): string {
  const q = filterParams(filter);
  if (options.format) q.set('format', options.format);
  else {
    if (options.limit) q.set('limit', String(options.limit));
    if (options.cursor) q.set('cursor', options.cursor);
  }
  return `/api/outages?${q.toString()}`;
}

/** `/api/events?…`: the fleet timeline, newest first (`before`: the page's nextBefore), or its export. */
export function eventsPath(
  filter: ReportFilter,
  kind: string,
  options: { format?: ExportFormat; limit?: number; before?: number | null } = {},
): string {
  const q = filterParams(filter);
  if (kind) q.set('kind', kind);
  if (options.format) q.set('format', options.format);
  else {
    if (options.limit) q.set('limit', String(options.limit));
    if (options.before) q.set('before', String(options.before));
  }
  return `/api/events?${q.toString()}`;
}

/** The browser's IANA time zone: energy's days and months are the user's, not UTC's. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function energyPath(params: { group: EnergyGroup; from: string; to: string; tz: string; ups?: string; site?: string }): string {
  const q = new URLSearchParams({ from: params.from, to: params.to, group: params.group, tz: params.tz });
  if (params.ups && /^\d+$/.test(params.ups)) q.set('ups', params.ups);
  if (params.site?.trim()) q.set('site', params.site.trim());
  return `/api/energy?${q.toString()}`;
}

/**
 * The energy period of the filter: its days, else the last `days` local days up to now (the API needs both
 * ends). An open end is now; an open start is `days` before the end.
 */
export function energyRange(filter: ReportFilter, now: number = Date.now(), days = 30): { from: string; to: string } {
  const b = filterBounds(filter);
  const to = b.to && Date.parse(b.to) < now ? b.to : isoSeconds(now);
  const today = new Date(Date.parse(to));
  const from = b.from ?? isoSeconds(new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1)).getTime());
  return { from, to };
}

/** The last `days` local days including today, oldest first, as the API's day keys. */
export function lastDays(days: number, now: Date = new Date()): string[] {
  const pad = (n: number) => String(n).padStart(2, '0');
  return Array.from({ length: days }, (_, i) => {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1 - i));
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  });
}

/** `/api/ups-systems/:id/history?raw=true&format=…`: every stored sample of the range. */
export function rawHistoryPath(upsId: number, from: string, to: string, format: ExportFormat = 'csv'): string {
  const q = new URLSearchParams({ raw: 'true', format, from, to });
  return `/api/ups-systems/${upsId}/history?${q.toString()}`;
}

// ---- file names -----------------------------------------------------------------------------

/** The name the API gives in Content-Disposition, else `powerpulse-<stem>[-from][-to].<ext>` (the API's pattern). */
export function exportFileName(disposition: string | null, stem: string, format: ExportFormat, from?: string | null, to?: string | null): string {
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  const given = m?.[1] ? decodeURIComponent(m[1]).replace(/[\\/]/g, '-') : '';
  if (given) return given;
  const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');
  const parts = ['powerpulse', stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'export'];
  for (const t of [from, to]) if (t) parts.push(stamp(t));
  return `${parts.join('-')}.${format}`;
}

// ---- energy words ---------------------------------------------------------------------------

/** kWh with sensible precision: "0.042 kWh", "3.42 kWh", "12.3 kWh", "1,234 kWh"; unknown: a dash. */
export function formatKwh(kwh: number | null | undefined): string {
  if (typeof kwh !== 'number' || !Number.isFinite(kwh)) return MISSING;
  const abs = Math.abs(kwh);
  return `${formatNumber(kwh, abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3)} kWh`;
}

/** An outage's Wh: "84 Wh" below 1 kWh, else kWh. */
export function formatWh(wh: number | null | undefined): string {
  if (typeof wh !== 'number' || !Number.isFinite(wh)) return MISSING;
  return Math.abs(wh) < 1000 ? `${formatNumber(wh, Math.abs(wh) < 10 ? 1 : 0)} Wh` : formatKwh(wh / 1000);
}

/** A cost in the tariff's currency ("€1.23", "1,23 €"); a code Intl does not know as "1.23 XYZ". */
export function formatMoney(v: number | null | undefined, currency: string | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return MISSING;
  const code = (currency ?? '').trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      return new Intl.NumberFormat(currentLocale(), { style: 'currency', currency: code, maximumFractionDigits: 2 }).format(v);
    } catch {
      // an unknown code: the number with the code after it
    }
  }
  return code ? `${formatNumber(v, 2, 2)} ${code}` : formatNumber(v, 2, 2);
}

/** A share 0..1 as a whole percentage, rounded down so a gap never shows as 100 %; a sliver as "<1%", not 0. */
export function formatShare(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return MISSING;
  const pct = v >= 1 ? 100 : Math.floor(Math.max(0, v) * 100);
  return pct === 0 && v > 0 ? `<${formatPercent(1)}` : formatPercent(pct);
}

/**
 * How much of a figure is known: "78 % of the period measured; 40 % estimated from load", "All of the period
 * measured", or "No power readings in this period" (then the kWh is unknown, not zero).
 */
export function coverageText(f: Pick<EnergyFigures, 'coverage' | 'estimated'>): string {
  const coverage = Number.isFinite(f.coverage) ? f.coverage : 0;
  const estimated = Number.isFinite(f.estimated) ? f.estimated : 0;
  if (coverage <= 0) return i18n.t('reports:coverage.none');
  const measured = coverage >= 1 ? i18n.t('reports:coverage.all') : i18n.t('reports:coverage.part', { share: formatShare(coverage) });
  return estimated > 0 ? i18n.t('reports:coverage.withEstimate', { measured, estimated: formatShare(estimated) }) : measured;
}

/** An outage's energy with its coverage: "84 Wh (62 % covered)"; all covered: just "84 Wh". */
export function outageEnergyText(wh: number | null, coverage: number | null): string {
  if (wh === null) return MISSING;
  if (coverage === null || coverage >= 1) return formatWh(wh);
  return i18n.t('reports:outages.energyCovered', { energy: formatWh(wh), share: formatShare(coverage) });
}

/** A day key "2026-12-05" as a short local label ("Dec 5"); a month key "2026-12" as "Dec 2026". */
export function formatBucket(key: string, group: EnergyGroup): string {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(key);
  if (!m || (group !== 'day' && group !== 'month')) return key;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1);
  const options: Intl.DateTimeFormatOptions = group === 'month' ? { month: 'short', year: 'numeric' } : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(currentLocale(), options).format(d);
}

/** The event kinds the timeline's filter offers (the power story; the API takes any stored kind). */
export const POWER_KINDS: readonly string[] = [
  'on_battery',
  'online',
  'low_battery',
  'fsd',
  'comm_lost',
  'comm_restored',
  'self_test',
  'replace_battery',
  'overload',
  'bypass',
  'off',
];

export interface EnergyBar {
  key: string;
  kwh: number | null;
  cost: number | null;
  coverage: number;
  estimated: number;
}

/** One bar per key (oldest first): the API's row, or an unknown gap where it sent none (never a zero). */
export function energyBars(rows: readonly EnergyRow[], keys?: readonly string[]): EnergyBar[] {
  const bar = (r: Pick<EnergyRow, 'key' | 'kwh' | 'cost' | 'coverage' | 'estimated'>): EnergyBar => ({
    key: r.key,
    kwh: r.coverage > 0 && typeof r.kwh === 'number' && Number.isFinite(r.kwh) ? r.kwh : null,
    cost: r.coverage > 0 ? r.cost : null,
    coverage: Math.min(1, Math.max(0, r.coverage || 0)),
    estimated: Math.min(1, Math.max(0, r.estimated || 0)),
  });
  if (!keys) return rows.map(bar);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return keys.map((k) => bar(byKey.get(k) ?? { key: k, kwh: null, cost: null, coverage: 0, estimated: 0 }));
}
