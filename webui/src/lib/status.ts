/**
 * How a UPS's status is shown. The API decides the status (`status`, `severity`, `conditions`,
 * `summaryBucket`, `lastKnown`); this module only maps those fields to words, a tone (colour)
 * and a symbol, always together so that status is never told by colour alone. It has no table
 * of NUT tokens: the only table is presentation, a symbol per severity.
 *
 * Old data is never shown as live: while the API says the data is stale or the server is
 * unreachable, the headline says so and the last known state is a separate, dated view.
 */
import { i18n } from '../i18n';
import type { Condition, LastKnown, Severity } from '../types';

/**
 * The API's words in the chosen language, looked up by the API's code; a code the UI has no translation
 * for (a newer API) shows the API's own English label, so the API stays the owner of which statuses exist.
 */
function word(group: 'power' | 'condition' | 'bucket', code: string | null | undefined, apiLabel: string): string {
  if (!code) return apiLabel;
  // "Alarm: <ups.alarm text>" and "Flag <token>" carry a value after the word.
  const alarm = code === 'alarm' && /^Alarm: (.+)$/s.exec(apiLabel);
  if (alarm) return i18n.t('status:condition.alarmText', { text: alarm[1] });
  const flag = code === 'unknown_flag' && /^Flag (.+)$/.exec(apiLabel);
  if (flag) return i18n.t('status:condition.unknown_flag', { token: flag[1] });
  const key = `status:${group}.${code}`;
  // Only when the UI's English agrees with the API's label: otherwise the API has said something newer.
  return i18n.exists(key) && i18n.t(key, { lng: 'en' }) === apiLabel ? i18n.t(key) : apiLabel;
}

export type Tone = Severity;

/** The API's severities, least first (unknown < ok < info < warning < critical). */
export const SEVERITIES: readonly Severity[] = ['unknown', 'ok', 'info', 'warning', 'critical'];

/** A text symbol per severity (not an image: screen readers skip it; the words carry it). */
const ICONS: Record<Severity, string> = {
  unknown: '?',
  ok: '✓',
  info: 'ℹ',
  warning: '⚠',
  critical: '✖',
};

/**
 * Whether the live fields can be believed. `waiting`: never polled yet (no data at all);
 * `stale`: upsd answers but has no fresh data; `unreachable`: the server (or the UPS on it)
 * cannot be reached.
 */
export type Freshness = 'live' | 'stale' | 'unreachable' | 'waiting';

/** The UI's own words for the freshness states (the API leaves the headline "Unknown"). */
const FRESHNESS: Record<Exclude<Freshness, 'live'>, { key: string; icon: string }> = {
  unreachable: { key: 'status:freshness.unreachable', icon: '⨯' },
  stale: { key: 'status:freshness.stale', icon: '◔' },
  waiting: { key: 'status:freshness.waiting', icon: '…' },
};

export interface Chip {
  code: string;
  label: string;
  tone: Tone;
  icon: string;
}

export interface LastKnownView {
  /** The power state then, e.g. "On Battery". */
  label: string;
  tone: Tone;
  icon: string;
  chips: Chip[];
  at: string | null;
  readings: Pick<
    LastKnown,
    'batteryCharge' | 'batteryVoltage' | 'inputVoltage' | 'outputVoltage' | 'runtimeRemaining' | 'load' | 'temperature'
  >;
}

export interface StatusView {
  /** Headline words: the API's power state when live, else what is wrong with the data. */
  label: string;
  tone: Tone;
  icon: string;
  /** The API's conditions (Replace Battery, Alarm, Charging, …), live only. */
  chips: Chip[];
  freshness: Freshness;
  /** The last fresh state, when the live one is not; null otherwise. */
  lastKnown: LastKnownView | null;
}

/** The fields this module reads; every one may be missing (an older API, a partial update). */
export interface UpsLike {
  status?: string | null;
  /** The power state's code (the key of its translation). */
  powerState?: string | null;
  severity?: string | null;
  conditions?: readonly Condition[] | null;
  summaryBucket?: string | null;
  stale?: boolean | null;
  reachable?: boolean | null;
  lastUpdated?: string | null;
  lastKnown?: LastKnown | null;
}

/** A severity the API sent, or "unknown" for anything else. */
export function severityOf(value: unknown): Severity {
  return SEVERITIES.includes(value as Severity) ? (value as Severity) : 'unknown';
}

export function severityIcon(severity: Severity): string {
  return ICONS[severity];
}

/** The worse of two severities in the API's order. */
export function worse(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a;
}

export function chipsOf(conditions: readonly Condition[] | null | undefined): Chip[] {
  return (conditions ?? [])
    .filter((c) => c && typeof c.label === 'string' && c.label !== '')
    .map((c) => {
      const tone = severityOf(c.severity);
      return { code: c.code, label: word('condition', c.code, c.label), tone, icon: ICONS[tone] };
    });
}

export function freshnessOf(ups: UpsLike): Freshness {
  if (ups.reachable === false) return 'unreachable';
  if (ups.stale) return !ups.lastKnown && !ups.lastUpdated ? 'waiting' : 'stale';
  return 'live';
}

function lastKnownView(lk: LastKnown | null | undefined): LastKnownView | null {
  if (!lk || typeof lk !== 'object') return null;
  const tone = severityOf(lk.severity);
  return {
    label: word('power', lk.powerState ?? (lk.status ? null : 'unknown'), lk.status || 'Unknown'),
    tone,
    icon: ICONS[tone],
    chips: chipsOf(lk.conditions),
    at: lk.at ?? null,
    readings: {
      batteryCharge: lk.batteryCharge ?? null,
      batteryVoltage: lk.batteryVoltage ?? null,
      inputVoltage: lk.inputVoltage ?? null,
      outputVoltage: lk.outputVoltage ?? null,
      runtimeRemaining: lk.runtimeRemaining ?? null,
      load: lk.load ?? null,
      temperature: lk.temperature ?? null,
    },
  };
}

/** The view of one UPS, from the API's fields only. */
export function upsStatus(ups: UpsLike): StatusView {
  const freshness = freshnessOf(ups);
  if (freshness !== 'live') {
    const { key, icon } = FRESHNESS[freshness];
    return { label: i18n.t(key), tone: 'unknown', icon, chips: [], freshness, lastKnown: lastKnownView(ups.lastKnown) };
  }
  const tone = severityOf(ups.severity);
  return {
    label: word('power', ups.powerState ?? (ups.status ? null : 'unknown'), ups.status || 'Unknown'),
    tone,
    icon: ICONS[tone],
    chips: chipsOf(ups.conditions),
    freshness,
    lastKnown: null,
  };
}

/**
 * A power state known only by the API's English label (history rows, events): in the chosen language when
 * the label is one of the power states the UI has words for, else as the API sent it.
 */
export function powerStateLabel(label: string | null | undefined): string {
  if (!label) return '';
  const known = (i18n.getResourceBundle('en', 'status') as { power?: Record<string, string> } | undefined)?.power ?? {};
  const code = Object.keys(known).find((c) => known[c] === label);
  return code ? i18n.t(`status:power.${code}`) : label;
}

/** "closet: Unreachable, last known On Battery": what a screen reader hears for a UPS. */
export function statusAriaLabel(name: string, view: StatusView): string {
  const chips = view.chips.map((c) => c.label).join(', ');
  const last = view.lastKnown ? i18n.t('status:aria.lastKnown', { label: view.lastKnown.label }) : '';
  return `${name}: ${view.label}${chips ? ` (${chips})` : ''}${last}`;
}

export interface BucketLabel {
  code: string;
  label: string;
}

export interface BucketCount extends BucketLabel {
  n: number;
  /** The worst severity among the UPS counted here ("unknown" when none). */
  tone: Tone;
}

/** The API's bucket of a UPS; one without (an older API) counts as unknown. */
export function bucketOf(ups: UpsLike): string {
  return ups.summaryBucket || 'unknown';
}

/** "onBattery" → "On battery": words for a bucket the status model has not named (yet). */
function humanize(code: string): string {
  const words = code.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Counts per bucket: each UPS in exactly one, so the counts add up to the number of UPS.
 * Buckets come in the status model's order; a bucket a UPS names but the model does not
 * (or the model is not loaded) is added after them, so no UPS goes uncounted.
 */
export function summarize(list: readonly UpsLike[], buckets: readonly BucketLabel[] = []): BucketCount[] {
  const out: BucketCount[] = buckets.map((b) => ({ code: b.code, label: word('bucket', b.code, b.label), n: 0, tone: 'unknown' }));
  const index = new Map(out.map((b, i) => [b.code, i]));
  for (const ups of list) {
    const code = bucketOf(ups);
    let i = index.get(code);
    if (i === undefined) {
      i = out.push({ code, label: word('bucket', code, humanize(code)), n: 0, tone: 'unknown' }) - 1;
      index.set(code, i);
    }
    out[i].n += 1;
    out[i].tone = worse(out[i].tone, severityOf(ups.severity));
  }
  return out;
}
