import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserTimeZone, digestBody, digestDraft, hourText, sendOutcome, validateDigest, type DigestSchedule, type DigestSent } from './digestForm';

const en = JSON.parse(readFileSync(new URL('../i18n/locales/en/digests.json', import.meta.url), 'utf8')) as { errors: Record<string, string> };
const good = { ...digestDraft(undefined, 'Europe/Berlin'), name: 'Weekly', channels: [3] };

describe('digest form', () => {
  it('starts a new schedule weekly at 08:00 in the given (browser) zone', () => {
    expect(digestDraft(undefined, 'Europe/Rome')).toEqual({ name: '', enabled: true, period: 'weekly', hour: 8, timezone: 'Europe/Rome', channels: [] });
    expect(digestDraft().timezone).toBe(browserTimeZone());
    expect(browserTimeZone()).toBeTruthy();
  });

  it('edits a saved schedule with its own values', () => {
    const saved: DigestSchedule = {
      id: 4, name: 'Month', enabled: false, period: 'monthly', hour: 6, timezone: 'America/New_York', channels: [1, 2],
      lastPeriod: null, lastSentAt: null, nextSendAt: null,
    };
    expect(digestDraft(saved, 'Europe/Rome')).toEqual({ name: 'Month', enabled: false, period: 'monthly', hour: 6, timezone: 'America/New_York', channels: [1, 2] });
  });

  it('builds the body the API takes: trimmed, channels once each', () => {
    expect(digestBody({ ...good, name: '  Weekly  ', timezone: ' UTC ', channels: [3, 1, 3] })).toEqual({
      name: 'Weekly', enabled: true, period: 'weekly', hour: 8, timezone: 'UTC', channels: [3, 1],
    });
  });

  it.each([
    [{}, {}],
    [{ name: '  ' }, { name: 'errors.nameRequired' }],
    [{ name: 'x'.repeat(101) }, { name: 'errors.nameTooLong' }],
    [{ period: 'hourly' }, { period: 'errors.period' }],
    [{ hour: 24 }, { hour: 'errors.hour' }],
    [{ hour: -1 }, { hour: 'errors.hour' }],
    [{ hour: 7.5 }, { hour: 'errors.hour' }],
    [{ timezone: 'Mars/Olympus' }, { timezone: 'errors.timezone' }],
    [{ timezone: '' }, { timezone: 'errors.timezone' }],
    [{ timezone: 'UTC' }, {}],
    [{ channels: [] }, { channels: 'errors.channelsRequired' }],
    [{ channels: Array.from({ length: 51 }, (_, i) => i + 1) }, { channels: 'errors.channelsTooMany' }],
  ])('validates %j → %j (as api/digests.py)', (over, expected) => {
    expect(validateDigest({ ...good, ...over } as typeof good)).toEqual(expected);
  });

  it('names only keys that have an English text', () => {
    const keys = [
      ...Object.values(validateDigest({ ...good, name: '', hour: 99, timezone: 'Nowhere/Land', channels: [] })),
      ...Object.values(validateDigest({ ...good, name: 'x'.repeat(101), period: 'x' as 'daily', channels: Array.from({ length: 51 }, (_, i) => i) })),
    ];
    expect(keys).toHaveLength(7);
    for (const k of keys) expect(en.errors[k.replace('errors.', '')], k).toBeTruthy();
  });

  it('words the hour and the outcome of "send now"', () => {
    expect(hourText(7)).toBe('07:00');
    expect(hourText(23)).toBe('23:00');
    const sent = (...states: string[]): DigestSent => ({
      period: '2026-12-04', title: 't', text: 'x',
      deliveries: states.map((state, i) => ({ channel: 'webhook', channelId: i, state, error: state === 'delivered' ? null : 'HTTP 500' })),
    });
    expect(sendOutcome(sent('delivered', 'delivered'))).toBe('delivered');
    expect(sendOutcome(sent('delivered', 'failed'))).toBe('partial');
    expect(sendOutcome(sent('failed'))).toBe('failed');
    expect(sendOutcome(sent())).toBe('failed');
  });
});
