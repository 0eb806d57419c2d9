/** The digest schedule form: its draft, validation mirroring `api/digests.py`, the body sent,
 * and what a "send now" answer amounts to. */
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type DigestSchedule = Schemas['DigestSchedule'];
export type DigestScheduleBody = Schemas['DigestScheduleBody'];
export type DigestSent = Schemas['DigestSent'];
export type DigestPeriod = DigestSchedule['period'];
export type DigestField = 'name' | 'period' | 'hour' | 'timezone' | 'channels';

export const PERIODS: DigestPeriod[] = ['daily', 'weekly', 'monthly'];
export const DIGEST_FIELDS: DigestField[] = ['name', 'period', 'hour', 'timezone', 'channels'];
export const NAME_MAX = 100;
export const TIMEZONE_MAX = 64;
export const MAX_CHANNELS = 50;
export const DEFAULT_HOUR = 8;

export interface DigestDraft {
  name: string;
  enabled: boolean;
  period: DigestPeriod;
  hour: number;
  timezone: string;
  channels: number[];
}

/** The browser's IANA zone (what a new schedule defaults to), UTC when it has none. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every zone the browser knows, for suggestions (older browsers: none). */
export function knownTimeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const digestDraft = (s?: DigestSchedule, zone: string = browserTimeZone()): DigestDraft => ({
  name: s?.name ?? '',
  enabled: s?.enabled ?? true,
  period: s?.period ?? 'weekly',
  hour: s?.hour ?? DEFAULT_HOUR,
  timezone: s?.timezone ?? zone,
  channels: s?.channels ?? [],
});

/** Field → i18n key (in `digests`) of what is wrong; empty when the draft may be sent. */
export function validateDigest(d: DigestDraft): Partial<Record<DigestField, string>> {
  const out: Partial<Record<DigestField, string>> = {};
  const name = d.name.trim();
  if (!name) out.name = 'errors.nameRequired';
  else if (name.length > NAME_MAX) out.name = 'errors.nameTooLong';
  if (!PERIODS.includes(d.period)) out.period = 'errors.period';
  if (!Number.isInteger(d.hour) || d.hour < 0 || d.hour > 23) out.hour = 'errors.hour';
  const zone = d.timezone.trim();
  if (!zone || zone.length > TIMEZONE_MAX || !isTimeZone(zone)) out.timezone = 'errors.timezone';
  if (d.channels.length === 0) out.channels = 'errors.channelsRequired';
  else if (d.channels.length > MAX_CHANNELS) out.channels = 'errors.channelsTooMany';
  return out;
}

export function digestBody(d: DigestDraft): DigestScheduleBody {
  return {
    name: d.name.trim(),
    enabled: d.enabled,
    period: d.period,
    hour: d.hour,
    timezone: d.timezone.trim(),
    channels: [...new Set(d.channels)],
  };
}

/** "08:00": the hour a report goes out, in its zone. */
export const hourText = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** How a "send now" went: every channel delivered, some, or none. */
export function sendOutcome(sent: DigestSent): 'delivered' | 'partial' | 'failed' {
  const ok = sent.deliveries.filter((d) => d.state === 'delivered').length;
  if (ok === sent.deliveries.length && ok > 0) return 'delivered';
  return ok > 0 ? 'partial' : 'failed';
}
