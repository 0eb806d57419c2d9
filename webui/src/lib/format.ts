/**
 * Formatting of readings for people, in the chosen language (`currentLocale()`): numbers with the locale's
 * decimal sign, durations and percentages through Intl's unit formatting, dates through Intl dates. Missing values
 * show as an en dash, never as 0. Which unit a NUT variable has is the API's (`kind`, `unit`); nothing here keeps
 * a table of variables.
 */
import { currentLocale, i18n } from '../i18n';
import type { NutVariable, UpsEvent } from '../types';

export const MISSING = '–';

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

// Intl formatters are costly to build and a variables table formats dozens of values: one per locale and options.
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const locale = currentLocale();
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

/** A number in the locale (230.1 → "230,1" in de), with at most `maxDigits` decimals. */
export function formatNumber(v: number | null | undefined, maxDigits = 2, minDigits = 0): string {
  if (!isNum(v)) return MISSING;
  return numberFormat({ maximumFractionDigits: maxDigits, minimumFractionDigits: minDigits }).format(v);
}

type TimeUnit = 'day' | 'hour' | 'minute' | 'second';
function unitAmount(n: number, unit: TimeUnit): string {
  return numberFormat({ style: 'unit', unit, unitDisplay: 'short' }).format(n);
}

/**
 * Seconds as "7 min 20 sec" (en) / "7 Min. 20 Sek." (de): the two largest parts, a zero second part left out
 * ("1 hr", "2 hr 5 min", "3 days 4 hr"). Negative or not a number: a dash.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNum(seconds) || seconds < 0) return MISSING;
  const total = Math.round(seconds);
  if (total < 60) return unitAmount(total, 'second');
  const parts: [number, TimeUnit][] =
    total < 3600
      ? [
          [Math.floor(total / 60), 'minute'],
          [total % 60, 'second'],
        ]
      : total < 86400
        ? [
            [Math.floor(total / 3600), 'hour'],
            [Math.floor((total % 3600) / 60), 'minute'],
          ]
        : [
            [Math.floor(total / 86400), 'day'],
            [Math.floor((total % 86400) / 3600), 'hour'],
          ];
  return parts
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, u]) => unitAmount(n, u))
    .join(' ');
}

/** Runtime given in minutes (the seed's runtimeRemaining): whole minutes once it is a minute or more. */
export function formatRuntime(minutes: number | null | undefined): string {
  if (!isNum(minutes)) return MISSING;
  if (minutes < 0) return MISSING;
  const totalSeconds = Math.round(minutes * 60);
  if (totalSeconds < 60) return formatDuration(totalSeconds);
  return formatDuration(Math.floor(totalSeconds / 60) * 60);
}

export function formatPercent(v: number | null | undefined): string {
  return isNum(v) ? numberFormat({ style: 'unit', unit: 'percent', maximumFractionDigits: 0 }).format(v) : MISSING;
}

export function formatVolts(v: number | null | undefined): string {
  if (!isNum(v)) return MISSING;
  const digits = v >= 100 ? 0 : 1;
  return `${formatNumber(v, digits, digits)} V`;
}

export function formatTemperature(v: number | null | undefined): string {
  return isNum(v) ? `${formatNumber(v, 1, 1)} °C` : MISSING;
}

/** A number with its unit as the API names it ("V", "A", "Hz", "W", "VA", "°C", "%", "s"). */
export function formatWithUnit(v: number | null | undefined, unit: string): string {
  if (!isNum(v)) return MISSING;
  if (unit === 's') return formatDuration(v);
  if (unit === '%') return numberFormat({ style: 'unit', unit: 'percent', maximumFractionDigits: 1 }).format(v);
  const text = formatNumber(v, Math.abs(v) >= 100 ? 1 : 2);
  return unit ? `${text} ${unit}` : text;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** A calendar day `YYYY-MM-DD` in the locale ("May 14, 2019", "14.05.2019"); anything else as it is. */
export function formatDate(day: string | null | undefined): string {
  if (!day) return MISSING;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const locale = currentLocale();
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    dateFormats.set(locale, f);
  }
  return f.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

/** A yes/no word of the API (`flag`: yes, no, on, off, enabled, disabled) in the chosen language. */
export function formatFlag(flag: string | null | undefined): string {
  switch (flag) {
    case 'yes':
    case 'no':
    case 'on':
    case 'off':
    case 'enabled':
    case 'disabled':
      return i18n.t(`common:state.${flag}`);
    default:
      return flag || MISSING;
  }
}

/** A NUT variable's value for people, from what the API read from it; the raw value when nothing was read. */
export function formatVariable(v: Pick<NutVariable, 'kind' | 'unit' | 'value' | 'number' | 'date' | 'flag'>): string {
  if (v.kind === 'date' && v.date) return formatDate(v.date);
  if (v.kind === 'boolean' && v.flag) return formatFlag(v.flag);
  if (isNum(v.number)) return formatWithUnit(v.number, v.unit);
  return v.value === '' ? MISSING : v.value;
}

/** "just now", "42 sec ago", "5 min ago", "3 hr ago", "2 days ago" (in the chosen language). */
export function timeAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return i18n.t('common:state.never');
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return i18n.t('common:state.unknown');
  const s = Math.round((now - then) / 1000);
  if (s < 5) return i18n.t('ups:ago.justNow');
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const amount = s < 60 ? unitAmount(s, 'second') : m < 60 ? unitAmount(m, 'minute') : h < 48 ? unitAmount(h, 'hour') : unitAmount(Math.floor(h / 24), 'day');
  return i18n.t('ups:ago.past', { time: amount });
}

/** Local date and time for tooltips and tables. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return MISSING;
  return new Date(t).toLocaleString(currentLocale());
}

/** Charge level band for the bar colour (the words next to it carry the value). */
export function chargeBand(charge: number | null | undefined): 'high' | 'mid' | 'low' | 'critical' | 'none' {
  if (!isNum(charge)) return 'none';
  if (charge >= 75) return 'high';
  if (charge >= 50) return 'mid';
  if (charge >= 25) return 'low';
  return 'critical';
}

/** The API sends flags as booleans; older data as 0/1. */
export function flag(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

/** Readable label for a variable key: "voltage.nominal" / "chargeLow" → "Voltage nominal" / "Charge low". */
export function variableLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A variable's value in words; nested groups (e.g. driver parameters) as "key=value" pairs. */
export function variableValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return MISSING;
  if (Array.isArray(v)) return v.map(variableValue).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${variableValue(x)}`)
      .join(', ');
  }
  return String(v);
}

/** Words for an event kind; unknown kinds are shown as they come, underscores as spaces. */
export function eventKindLabel(kind: string): string {
  const key = `ups:event.kind.${kind}`;  // the kinds with words are the keys of the `ups` namespace
  return i18n.exists(key) ? i18n.t(key) : kind.replace(/_/g, ' ');
}

/** What an event adds to its "from → to": a self-test's phase and result (`details`). */
export function eventDetail(kind: string, details: Record<string, unknown> | null | undefined): string {
  if (kind !== 'self_test' || !details) return '';
  const phase = details.phase === 'started' || details.phase === 'ended' ? i18n.t(`ups:event.phase.${details.phase}`) : typeof details.phase === 'string' ? details.phase : '';
  const result = typeof details.result === 'string' && details.result.trim() ? details.result.trim() : '';
  return [phase, result && i18n.t('ups:event.result', { result })].filter(Boolean).join(', ');
}

/** "On battery for 3 min 12 sec, lowest charge 61%" for an event that ended a power failure; '' for others. */
export function outageText(outage: UpsEvent['outage'] | null | undefined): string {
  if (!outage || !isNum(outage.durationSeconds)) return '';
  const duration = formatDuration(outage.durationSeconds);
  return isNum(outage.lowestCharge)
    ? i18n.t('ups:event.outage', { duration, charge: formatPercent(outage.lowestCharge) })
    : i18n.t('ups:event.outageNoCharge', { duration });
}
