/**
 * How a UPS status is shown: words, a tone (colour) and a symbol, always together so that status
 * is never told by colour alone. Decided from the NUT status *tokens* by severity — never by
 * string prefix: "OB LB" is Low Battery, FSD beats everything, an unknown token is kept.
 */
export type Tone = 'ok' | 'info' | 'warning' | 'critical' | 'unknown';

export interface StatusView {
  /** Main words, e.g. "On Battery". */
  label: string;
  tone: Tone;
  /** A text symbol shown next to the words (not an image: screen readers skip it). */
  icon: string;
  /** Secondary conditions worth a chip, e.g. "Charging", "Replace Battery". */
  extras: string[];
  tokens: string[];
}

interface Rule {
  token: string;
  label: string;
  tone: Tone;
}

/** Severity order: the first rule whose token is present names the status. */
const RULES: readonly Rule[] = [
  { token: 'FSD', label: 'Forced Shutdown', tone: 'critical' },
  { token: 'LB', label: 'Low Battery', tone: 'critical' },
  { token: 'OB', label: 'On Battery', tone: 'warning' },
  { token: 'RB', label: 'Replace Battery', tone: 'warning' },
  { token: 'OVER', label: 'Overload', tone: 'critical' },
  { token: 'BYPASS', label: 'Bypass', tone: 'warning' },
  { token: 'OFF', label: 'Off', tone: 'critical' },
  { token: 'ALARM', label: 'Alarm', tone: 'warning' },
  { token: 'CAL', label: 'Calibration', tone: 'info' },
  { token: 'TEST', label: 'Testing', tone: 'info' },
  { token: 'OL', label: 'Online', tone: 'ok' },
];

/** Words for tokens that qualify the main status. */
const EXTRAS: Record<string, string> = {
  CHRG: 'Charging',
  DISCHRG: 'Discharging',
  TRIM: 'Trimming Voltage',
  BOOST: 'Boosting Voltage',
  HB: 'High Battery',
  RB: 'Replace Battery',
  OVER: 'Overload',
  BYPASS: 'Bypass',
  ALARM: 'Alarm',
  LB: 'Low Battery',
  CAL: 'Calibration',
  TEST: 'Testing',
};

const ICONS: Record<Tone | 'offline', string> = {
  ok: '✓',
  info: 'ℹ',
  warning: '⚠',
  critical: '✖',
  unknown: '?',
  offline: '⨯',
};

export function parseTokens(raw: string[] | string | null | undefined): string[] {
  const list = Array.isArray(raw) ? raw : (raw ?? '').split(/\s+/);
  const seen = new Set<string>();
  for (const t of list) {
    const token = t.trim().toUpperCase();
    if (token) seen.add(token);
  }
  return [...seen];
}

export function statusFromTokens(raw: string[] | string | null | undefined): StatusView {
  const tokens = parseTokens(raw);
  const set = new Set(tokens);
  const rule = RULES.find((r) => set.has(r.token));
  if (!rule) {
    return { label: 'Unknown', tone: 'unknown', icon: ICONS.unknown, extras: [], tokens };
  }
  const extras = tokens
    .filter((t) => t !== rule.token && EXTRAS[t] && EXTRAS[t] !== rule.label)
    .map((t) => EXTRAS[t]);
  return { label: rule.label, tone: rule.tone, icon: ICONS[rule.tone], extras, tokens };
}

export interface UpsLike {
  status?: string | null;
  statusTokens?: string[] | string | null;
  reachable?: boolean;
  stale?: boolean;
}

/** The view for a whole UPS: unreachable beats whatever the last known status was. */
export function upsStatus(ups: UpsLike): StatusView & { unreachable: boolean; stale: boolean } {
  const hasTokens = ups.statusTokens !== undefined && ups.statusTokens !== null;
  const view = statusFromTokens(hasTokens ? ups.statusTokens : fallbackTokens(ups.status));
  const unreachable = ups.reachable === false;
  const stale = Boolean(ups.stale) || unreachable;
  if (unreachable) {
    return { ...view, label: 'Unreachable', tone: 'unknown', icon: ICONS.offline, extras: view.tokens.length ? [`Last seen: ${view.label}`] : [], unreachable, stale };
  }
  return { ...view, unreachable, stale };
}

/** For an API without statusTokens: map the seed's display words back to tokens (exact match). */
const WORDS_TO_TOKENS: Record<string, string> = {
  online: 'OL',
  'on battery': 'OB',
  'low battery': 'OB LB',
  'forced shutdown': 'FSD',
  'replace battery': 'OL RB',
  overload: 'OL OVER',
  bypass: 'BYPASS',
  off: 'OFF',
  calibration: 'CAL',
  charging: 'OL CHRG',
};

function fallbackTokens(status: string | null | undefined): string {
  const words = (status ?? '').trim().toLowerCase();
  return WORDS_TO_TOKENS[words] ?? (/^[A-Z ]+$/.test(status ?? '') ? (status as string) : '');
}

const ALARM_TOKENS = new Set(['FSD', 'LB', 'RB', 'OVER', 'BYPASS', 'OFF', 'ALARM']);

export type SummaryKey = 'online' | 'onBattery' | 'alarm' | 'unreachable';

/** Which summary counters a UPS adds to (a UPS on battery and low is both "on battery" and "alarm"). */
export function summaryKeys(ups: UpsLike): SummaryKey[] {
  const view = upsStatus(ups);
  if (view.unreachable) return ['unreachable'];
  const set = new Set(view.tokens);
  const out: SummaryKey[] = [];
  if (set.has('OB')) out.push('onBattery');
  else if (set.has('OL')) out.push('online');
  if (view.tokens.some((t) => ALARM_TOKENS.has(t))) out.push('alarm');
  return out;
}

export function summarize(list: readonly UpsLike[]): Record<SummaryKey, number> {
  const counts: Record<SummaryKey, number> = { online: 0, onBattery: 0, alarm: 0, unreachable: 0 };
  for (const ups of list) for (const k of summaryKeys(ups)) counts[k] += 1;
  return counts;
}
