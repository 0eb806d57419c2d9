import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import {
  EMPTY_FILTER,
  coverageText,
  energyBars,
  energyPath,
  energyRange,
  eventsPath,
  exportFileName,
  filterBounds,
  formatKwh,
  formatMoney,
  formatShare,
  formatWh,
  lastDays,
  outageEnergyText,
  outagesPath,
  rawHistoryPath,
} from './reports';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const params = (path: string) => Object.fromEntries(new URL(path, 'http://x').searchParams);

beforeAll(() => i18n.changeLanguage('en'));
afterAll(() => i18n.changeLanguage('en'));

describe('filters as query strings', () => {
  it('leaves out what is not set', () => {
    expect(outagesPath(EMPTY_FILTER, { limit: 50 })).toBe('/api/outages?limit=50');
    expect(eventsPath(EMPTY_FILTER, '', { limit: 50 })).toBe('/api/events?limit=50');
  });

  it('sends local days as the instants of their start and end', () => {
    const f = { ...EMPTY_FILTER, from: '2026-03-01', to: '2026-03-02' };
    const { from, to } = filterBounds(f);
    expect(Date.parse(from!)).toBe(new Date(2026, 2, 1).getTime());
    // The end day is included: up to its last second.
    expect(Date.parse(to!)).toBe(new Date(2026, 2, 3).getTime() - 1000);
    expect(from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('ignores a malformed day rather than sending it', () => {
    expect(filterBounds({ ...EMPTY_FILTER, from: '2026-3-1', to: 'x' })).toEqual({ from: null, to: null });
  });

  it('pages outages with the cursor, but exports everything without one', () => {
    const f = { ...EMPTY_FILTER, ups: '3', site: ' lab ' };
    expect(params(outagesPath(f, { limit: 50, cursor: '17' }))).toEqual({ ups: '3', site: 'lab', limit: '50', cursor: '17' });
    expect(params(outagesPath(f, { format: 'csv', limit: 50, cursor: '17' }))).toEqual({ ups: '3', site: 'lab', format: 'csv' });
  });

  it('pages the timeline with before and passes the kind', () => {
    expect(params(eventsPath(EMPTY_FILTER, 'on_battery', { limit: 50, before: 900 }))).toEqual({ kind: 'on_battery', limit: '50', before: '900' });
    expect(params(eventsPath(EMPTY_FILTER, 'online', { format: 'json', before: 900 }))).toEqual({ kind: 'online', format: 'json' });
  });

  it('asks for energy with the time zone and both ends', () => {
    const p = params(energyPath({ group: 'day', from: 'a', to: 'b', tz: 'Europe/Berlin', ups: '2', site: '' }));
    expect(p).toEqual({ group: 'day', from: 'a', to: 'b', tz: 'Europe/Berlin', ups: '2' });
  });

  it('gives energy the last 30 days up to now when the filter has no days', () => {
    const now = new Date(2026, 11, 5, 15, 30).getTime();
    const r = energyRange(EMPTY_FILTER, now);
    expect(Date.parse(r.to)).toBe(now);
    expect(Date.parse(r.from)).toBe(new Date(2026, 10, 6).getTime());
    // A filter ending in the future ends now.
    expect(Date.parse(energyRange({ ...EMPTY_FILTER, to: '2027-01-01' }, now).to)).toBe(now);
  });

  it('lists the last days oldest first', () => {
    expect(lastDays(3, new Date(2026, 0, 1, 12))).toEqual(['2025-12-30', '2025-12-31', '2026-01-01']);
  });

  it('builds the raw history export', () => {
    expect(params(rawHistoryPath(4, 'a', 'b'))).toEqual({ raw: 'true', format: 'csv', from: 'a', to: 'b' });
    expect(rawHistoryPath(4, 'a', 'b')).toMatch(/^\/api\/ups-systems\/4\/history\?/);
  });
});

describe('export file names', () => {
  it("takes the API's Content-Disposition name", () => {
    expect(exportFileName('attachment; filename="powerpulse-outages-20260101T000000Z.csv"', 'outages', 'csv')).toBe('powerpulse-outages-20260101T000000Z.csv');
  });
  it('makes the same pattern when there is none', () => {
    expect(exportFileName(null, 'events', 'json', '2026-01-01T00:00:00Z', null)).toBe('powerpulse-events-20260101T000000Z.json');
    expect(exportFileName(null, '../x y', 'csv')).toBe('powerpulse-x-y.csv');
  });
});

describe('energy words', () => {
  it('says how much was measured and estimated', () => {
    expect(plain(coverageText({ coverage: 0.78, estimated: 0.4 }))).toBe('78% of the period measured; 40% estimated from load');
    expect(coverageText({ coverage: 1, estimated: 0 })).toBe('All of the period measured');
    expect(coverageText({ coverage: 0, estimated: 0 })).toMatch(/unknown/);
  });
  it('never rounds a gap up to 100 %', () => {
    expect(formatShare(0.999)).toBe('99%');
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(0.003)).toBe('<1%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(null)).toBe('–');
  });
  it('formats energy and money', () => {
    expect(formatKwh(0.0421)).toBe('0.042 kWh');
    expect(formatKwh(1234.4)).toBe('1,234 kWh');
    expect(formatKwh(null)).toBe('–');
    expect(formatWh(84.2)).toBe('84 Wh');
    expect(formatWh(2500)).toBe('2.5 kWh');
    expect(formatMoney(1.234, 'eur')).toBe('€1.23');
    expect(formatMoney(1.5, 'XYZ1')).toBe('1.50 XYZ1');
    expect(plain(outageEnergyText(84, 0.62))).toBe('84 Wh (62% covered)');
    expect(outageEnergyText(84, 1)).toBe('84 Wh');
    expect(outageEnergyText(null, null)).toBe('–');
  });
  it('fills missing days with unknown bars, never zero', () => {
    const bars = energyBars([{ key: '2026-01-02', label: '', kwh: 1.5, cost: null, coverage: 0.5, estimated: 0 }], ['2026-01-01', '2026-01-02']);
    expect(bars.map((b) => b.kwh)).toEqual([null, 1.5]);
    expect(energyBars([{ key: 'k', label: '', kwh: 0, cost: 0, coverage: 0, estimated: 0 }])[0].kwh).toBeNull();
  });
});
