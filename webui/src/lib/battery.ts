/**
 * Battery lifecycle, health and self-tests in words (the `battery` namespace): tones for badges, the age bar,
 * reason codes, schedules, and the schedule form's model. Pure: no fetching, so it is tested on its own.
 */
import { currentLocale, i18n } from '../i18n';
import { formatDate, formatDuration, formatNumber, formatPercent, formatVolts, MISSING } from './format';
import { weekdayNames } from './weekdays';
import type { FleetBattery, HealthState, Readings, SelfTestSchedule, SelfTestScheduleBody, SelfTestState, TestType } from './batteryTypes';

export type Tone = 'ok' | 'info' | 'warning' | 'critical' | 'unknown';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const HEALTH_STATES: readonly HealthState[] = ['good', 'fair', 'poor', 'unknown'];
const TEST_STATES: readonly SelfTestState[] = ['blocked', 'error', 'requested', 'running', 'passed', 'failed', 'aborted', 'unknown'];
/** A test still under way: the page refreshes more often until it ends. */
export const ACTIVE_TEST_STATES: readonly SelfTestState[] = ['requested', 'running'];

export function healthTone(state: string): Tone {
  return ({ good: 'ok', fair: 'warning', poor: 'critical' } as Record<string, Tone>)[state] ?? 'unknown';
}

export function testTone(state: string): Tone {
  return (
    ({ passed: 'ok', failed: 'critical', error: 'critical', aborted: 'warning', blocked: 'warning', requested: 'info', running: 'info' } as Record<string, Tone>)[
      state
    ] ?? 'unknown'
  );
}

/** A state word; a state this UI does not know shows as "Unknown", never as a raw code. */
export function healthStateText(state: string): string {
  return i18n.t(`battery:healthState.${HEALTH_STATES.includes(state as HealthState) ? state : 'unknown'}`);
}

export function testStateText(state: string): string {
  return i18n.t(`battery:testState.${TEST_STATES.includes(state as SelfTestState) ? state : 'unknown'}`);
}

/** Why a test was blocked (a code), or what failed (the API's words). */
export function testReasonText(reason: string | null | undefined): string {
  if (!reason) return '';
  const key = `battery:blockReason.${reason}`;
  return i18n.exists(key) ? i18n.t(key) : reason;
}

/** Why the health is unknown, in words (never a number). */
export function healthReasonText(reason: string | null | undefined): string {
  const key = `battery:healthReason.${reason ?? ''}`;
  return reason && i18n.exists(key) ? i18n.t(key) : i18n.t('battery:healthReason.other');
}

export function testTypeText(type: string): string {
  return type === 'deep' ? i18n.t('battery:testType.deep') : i18n.t('battery:testType.quick');
}

/** How much of its expected life the battery has used (0.5 = half), null when unknown. */
export function lifeUsed(ageMonths: number | null | undefined, expectedLifeMonths: number | null | undefined): number | null {
  if (!isNum(ageMonths) || !isNum(expectedLifeMonths) || expectedLifeMonths <= 0) return null;
  return Math.max(0, ageMonths / expectedLifeMonths);
}

/** The age bar's colour: due is critical, the last 15 % of the life a warning. */
export function lifeTone(used: number | null, due: boolean): Tone {
  if (due || (used !== null && used >= 1)) return 'critical';
  if (used === null) return 'unknown';
  return used >= 0.85 ? 'warning' : 'ok';
}

/** "31.2 months" (plural by the language's rules). */
export function monthsText(months: number | null | undefined): string {
  if (!isNum(months)) return MISSING;
  const rounded = Math.round(months * 10) / 10;
  return i18n.t('battery:months', { count: rounded, value: formatNumber(rounded, 1) });
}

/** The ratio's change per year in words: "losing 8% a year", "stable". */
export function trendText(perYear: number | null | undefined): string {
  if (!isNum(perYear)) return MISSING;
  const pct = Math.abs(perYear * 100);
  if (pct < 0.5) return i18n.t('battery:health.trendFlat');
  return i18n.t(perYear < 0 ? 'battery:health.trendDown' : 'battery:health.trendUp', { value: formatPercent(pct) });
}

/** "96% · 41 min · 27.1 V · 31% load"; a dash for no readings. */
export function readingsText(r: Readings | null | undefined): string {
  if (!r) return MISSING;
  const parts = [
    isNum(r.charge) ? formatPercent(r.charge) : '',
    isNum(r.runtimeSeconds) ? formatDuration(r.runtimeSeconds) : '',
    isNum(r.batteryVoltage) ? formatVolts(r.batteryVoltage) : '',
    isNum(r.load) ? i18n.t('battery:tests.loadValue', { value: formatPercent(r.load) }) : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : MISSING;
}

/** The health trend for the chart: Unix seconds and ratio in percent, oldest first, bad points left out. */
export function healthColumns(points: readonly { at: string; ratio: number }[] | null | undefined): { t: number[]; pct: number[] } {
  const rows = (points ?? [])
    .map((p) => [Date.parse(p.at) / 1000, p.ratio * 100] as const)
    .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
  return { t: rows.map((r) => r[0]), pct: rows.map((r) => r[1]) };
}

/** The health chart's axis label: the month over long spans ("Mar 26"), else the day ("Mar 1"), short enough not to overlap. */
export function healthAxisLabel(seconds: number, span: number): string {
  const long = span > 120 * 86400;
  const options: Intl.DateTimeFormatOptions = long ? { month: 'short', year: '2-digit' } : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(currentLocale(), { ...options, timeZone: 'UTC' }).format(new Date(seconds * 1000));
}

/** The dashboard's warning codes: the API's, plus `battery_near` in the last NEAR_DAYS before the due date. */
export type WarningCode = FleetBattery['warnings'][number] | 'battery_near';
const NEAR_DAYS = 90;

/** Days from `today` to the day `day` ("YYYY-MM-DD"), both as calendar days; null for a bad date. */
function daysUntil(day: string | null | undefined, today: string): number | null {
  const a = Date.parse(`${today}T00:00:00Z`);
  const b = day ? Date.parse(`${day}T00:00:00Z`) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / 86_400_000) : null;
}

function warningsOf(b: FleetBattery, today: string): WarningCode[] {
  const out: WarningCode[] = Array.isArray(b.warnings) ? [...b.warnings] : [];
  const left = daysUntil(b.dueOn, today);
  if (!b.due && left !== null && left <= NEAR_DAYS) out.push('battery_near');
  return out;
}

/** The UPS the dashboard should warn about (limited to `ids`, the dashboard's filter), each with its codes. */
export function batteryWarnings(
  list: readonly FleetBattery[] | null | undefined,
  today: string,
  ids?: ReadonlySet<number>,
): { battery: FleetBattery; codes: WarningCode[] }[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => !ids || ids.has(b.upsId))
    .map((battery) => ({ battery, codes: warningsOf(battery, today) }))
    .filter((w) => w.codes.length > 0);
}

export function warningText(code: WarningCode, b: Pick<FleetBattery, 'dueOn'>): string {
  const date = formatDate(b.dueOn);
  switch (code) {
    case 'battery_due':
      return b.dueOn ? i18n.t('battery:warnings.dueSince', { date }) : i18n.t('battery:warnings.due');
    case 'battery_near':
      return i18n.t('battery:warnings.dueSoon', { date });
    case 'test_failed':
      return i18n.t('battery:warnings.testFailed');
    case 'health_poor':
      return i18n.t('battery:warnings.healthPoor');
  }
}

// ---- schedules ---------------------------------------------------------------------------------

/** The browser's time zone (a schedule's default), UTC when Intl cannot say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Today in the browser's calendar, "YYYY-MM-DD" (a replacement's default date). */
export function todayLocal(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** "Every Monday at 03:00 (Europe/Berlin)", "Monthly on day 1 at 03:00 (UTC)". */
export function scheduleWhenText(s: Pick<SelfTestSchedule, 'frequency' | 'weekday' | 'dayOfMonth' | 'timeOfDay' | 'timezone'>): string {
  const names = weekdayNames('long');
  if (s.frequency === 'weekly') {
    const day = isNum(s.weekday) && s.weekday >= 0 && s.weekday <= 6 ? names[s.weekday] : MISSING;
    return i18n.t('battery:schedules.weekly', { day, time: s.timeOfDay, timezone: s.timezone });
  }
  return i18n.t('battery:schedules.monthly', { day: isNum(s.dayOfMonth) ? s.dayOfMonth : MISSING, time: s.timeOfDay, timezone: s.timezone });
}

/** "At least 90% charge, no outage for 24 hr". */
export function scheduleLimitsText(s: Pick<SelfTestSchedule, 'minCharge' | 'quietHours'>): string {
  return i18n.t('battery:schedules.limits', { charge: formatPercent(s.minCharge), quiet: formatDuration((isNum(s.quietHours) ? s.quietHours : 0) * 3600) });
}

/** The schedule form as typed (numbers as the inputs' strings). */
export interface ScheduleForm {
  name: string;
  enabled: boolean;
  scope: 'all' | number[];
  testType: TestType;
  frequency: 'weekly' | 'monthly';
  weekday: string;
  dayOfMonth: string;
  timeOfDay: string;
  timezone: string;
  minCharge: string;
  quietHours: string;
}

export function emptyScheduleForm(timezone: string = browserTimeZone()): ScheduleForm {
  return {
    name: '',
    enabled: true,
    scope: 'all',
    testType: 'quick',
    frequency: 'monthly',
    weekday: '6',
    dayOfMonth: '1',
    timeOfDay: '03:00',
    timezone,
    minCharge: '90',
    quietHours: '24',
  };
}

export function scheduleToForm(s: SelfTestSchedule): ScheduleForm {
  return {
    name: s.name,
    enabled: s.enabled,
    scope: Array.isArray(s.ups) ? [...s.ups] : 'all',
    testType: s.testType === 'deep' ? 'deep' : 'quick',
    frequency: s.frequency === 'weekly' ? 'weekly' : 'monthly',
    weekday: isNum(s.weekday) ? String(s.weekday) : '6',
    dayOfMonth: isNum(s.dayOfMonth) ? String(s.dayOfMonth) : '1',
    timeOfDay: s.timeOfDay,
    timezone: s.timezone,
    minCharge: String(s.minCharge),
    quietHours: String(s.quietHours),
  };
}

/** The schedule body's fields (a 400 names one of them). */
export const SCHEDULE_FIELDS = ['name', 'enabled', 'ups', 'testType', 'frequency', 'weekday', 'dayOfMonth', 'timeOfDay', 'timezone', 'minCharge', 'quietHours'] as const;
export type ScheduleField = (typeof SCHEDULE_FIELDS)[number];

/** What is wrong with the form, by API field name (the messages are the `battery` namespace's). */
export function scheduleFormErrors(f: ScheduleForm): Partial<Record<ScheduleField, string>> {
  const out: Partial<Record<ScheduleField, string>> = {};
  const int = (s: string) => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : NaN);
  if (!f.name.trim()) out.name = i18n.t('battery:form.errors.name');
  if (f.scope !== 'all' && f.scope.length === 0) out.ups = i18n.t('battery:form.errors.ups');
  if (f.frequency === 'monthly') {
    const d = int(f.dayOfMonth);
    if (!(d >= 1 && d <= 28)) out.dayOfMonth = i18n.t('battery:form.errors.dayOfMonth');
  }
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(f.timeOfDay)) out.timeOfDay = i18n.t('battery:form.errors.timeOfDay');
  if (!f.timezone.trim()) out.timezone = i18n.t('battery:form.errors.timezone');
  const charge = f.minCharge.trim() === '' ? NaN : Number(f.minCharge);
  if (!(charge >= 0 && charge <= 100)) out.minCharge = i18n.t('battery:form.errors.minCharge');
  const quiet = int(f.quietHours);
  if (!(quiet >= 0 && quiet <= 720)) out.quietHours = i18n.t('battery:form.errors.quietHours');
  return out;
}

/** The API body for a valid form (check `scheduleFormErrors` first). */
export function scheduleBody(f: ScheduleForm): SelfTestScheduleBody {
  const weekly = f.frequency === 'weekly';
  return {
    name: f.name.trim(),
    enabled: f.enabled,
    ups: f.scope === 'all' ? null : [...f.scope],
    testType: f.testType,
    frequency: f.frequency,
    weekday: weekly ? Number(f.weekday) : null,
    dayOfMonth: weekly ? null : Number(f.dayOfMonth),
    timeOfDay: f.timeOfDay,
    timezone: f.timezone.trim(),
    minCharge: Number(f.minCharge),
    quietHours: Number(f.quietHours),
  };
}
