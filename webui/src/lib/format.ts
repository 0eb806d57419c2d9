/** Formatting of readings for people. Missing values show as an en dash, never as 0. */

export const MISSING = '–';

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Runtime given in minutes (the seed's runtimeRemaining). */
export function formatRuntime(minutes: number | null | undefined): string {
  if (!isNum(minutes)) return MISSING;
  if (minutes < 0) return MISSING;
  const totalSeconds = Math.round(minutes * 60);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min`;
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export function formatPercent(v: number | null | undefined): string {
  return isNum(v) ? `${Math.round(v)}%` : MISSING;
}

export function formatVolts(v: number | null | undefined): string {
  return isNum(v) ? `${v.toFixed(v >= 100 ? 0 : 1)} V` : MISSING;
}

export function formatTemperature(v: number | null | undefined): string {
  return isNum(v) ? `${v.toFixed(1)} °C` : MISSING;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago". */
export function timeAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'unknown';
  const s = Math.round((now - then) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  const d = Math.floor(h / 24);
  return `${d} days ago`;
}

/** Local date and time for tooltips and tables. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return MISSING;
  return new Date(t).toLocaleString();
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

const EVENT_WORDS: Record<string, string> = {
  on_battery: 'Power failure',
  online: 'Power restored',
  low_battery: 'Low battery',
  fsd: 'Forced shutdown',
  replace_battery: 'Replace battery',
  overload: 'Overload',
  bypass: 'On bypass',
  off: 'Output off',
  comm_lost: 'Lost contact',
  comm_restored: 'Contact restored',
  self_test: 'Self-test',
  ups_added: 'UPS found',
  ups_removed: 'UPS gone from server',
};

/** Words for an event kind; unknown kinds are shown as they come, underscores as spaces. */
export function eventKindLabel(kind: string): string {
  return EVENT_WORDS[kind] ?? kind.replace(/_/g, ' ');
}

/** What an event adds to its "from → to": a self-test's phase and result (`details`). */
export function eventDetail(kind: string, details: Record<string, unknown> | null | undefined): string {
  if (kind !== 'self_test' || !details) return '';
  const phase = typeof details.phase === 'string' ? details.phase : '';
  const result = typeof details.result === 'string' && details.result.trim() ? details.result.trim() : '';
  return [phase, result && `result: ${result}`].filter(Boolean).join(', ');
}
