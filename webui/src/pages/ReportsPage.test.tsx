// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { setSession } from '../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { OutageRecord, TimelineEvent } from '../lib/reports';
import ReportsPage from './ReportsPage';

let api: RecordingApi | undefined;
afterEach(async () => {
  await api?.close();
  vi.restoreAllMocks();
});
beforeEach(() => setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true }));

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ');

const outage = (over: Partial<OutageRecord>): OutageRecord => ({
  id: 1,
  upsId: 3,
  upsName: 'closet',
  displayName: 'Closet UPS',
  site: 'lab',
  startedAt: '2026-12-01T10:00:00Z',
  endedAt: '2026-12-01T10:05:00Z',
  durationSeconds: 300,
  minCharge: 61,
  minRuntimeSeconds: 420,
  energyWh: 84,
  energyCoverage: 0.62,
  shutdownRuns: [{ id: 9, plan: 'Rack A', state: 'completed' }],
  notifications: [],
  ...over,
});

const event = (over: Partial<TimelineEvent>): TimelineEvent => ({
  id: 50,
  upsId: 3,
  upsName: 'closet',
  displayName: 'Closet UPS',
  site: 'lab',
  kind: 'on_battery',
  previousStatus: 'OL',
  newStatus: 'OB DISCHRG',
  occurredAt: '2026-12-01T10:00:00Z',
  details: {},
  ...over,
});

const UPS = [{ id: 3, displayName: 'Closet UPS', upsName: 'closet', site: 'lab' }];

describe('ReportsPage', () => {
  it('lists outages, pages with the cursor and filters by UPS', async () => {
    api = await startRecordingApi({
      'GET /api/ups-systems': { body: UPS },
      'GET /api/outages?limit=50': { body: { outages: [outage({ id: 2, endedAt: null, durationSeconds: 60 })], nextCursor: '2' } },
      'GET /api/outages?limit=50&cursor=2': { body: { outages: [outage({ id: 1 })], nextCursor: null } },
      'GET /api/outages?ups=3&limit=50': { body: { outages: [outage({ id: 1 })], nextCursor: null } },
    });
    const page = await mount(<ReportsPage />);
    const first = await until(() => page.el.querySelector('[data-testid="outage-row"]'), 'the first row');
    expect(first.textContent).toContain('Closet UPS');
    expect(first.textContent).toContain('Ongoing');
    await act(async () => buttonNamed(page.el, 'Load more outages')!.click());
    await until(() => page.el.querySelectorAll('[data-testid="outage-row"]').length === 2, 'the second page');
    const second = page.el.querySelectorAll('[data-testid="outage-row"]')[1];
    expect(plain(second.textContent)).toContain('5 min');
    expect(plain(second.textContent)).toContain('61%');
    expect(plain(second.textContent)).toContain('84 Wh (62% covered)');
    expect(second.textContent).toContain('Rack A');
    expect(buttonNamed(page.el, 'Load more outages')).toBeUndefined();

    await until(() => controlLabelled<HTMLSelectElement>(page.el, 'UPS')?.querySelector('option[value="3"]'), 'the UPS option');
    await typeInto(controlLabelled<HTMLSelectElement>(page.el, 'UPS')!, '3');
    await until(() => api!.requests.includes('GET /api/outages?ups=3&limit=50'), 'the filtered request');
    await until(() => page.el.querySelectorAll('[data-testid="outage-row"]').length === 1, 'the filtered rows');
    await page.unmount();
  });

  it('exports the outages with the current filters as a downloaded file', async () => {
    api = await startRecordingApi({
      'GET /api/ups-systems': { body: UPS },
      'GET /api/outages?limit=50': { body: { outages: [outage({})], nextCursor: null } },
      'GET /api/outages?site=lab&limit=50': { body: { outages: [outage({})], nextCursor: null } },
      'GET /api/outages?site=lab&format=csv': { body: 'id,upsId' },
      'GET /api/outages?site=lab&format=json': { status: 500, body: { message: 'Disk full', error: 'server_error' } },
    });
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:test';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    const page = await mount(<ReportsPage />);
    await until(() => page.el.querySelector('[data-testid="outage-row"]'), 'the rows');
    await until(() => controlLabelled<HTMLSelectElement>(page.el, 'Site')?.querySelector('option[value="lab"]'), 'the site option');
    await typeInto(controlLabelled<HTMLSelectElement>(page.el, 'Site')!, 'lab');
    await act(async () => buttonNamed(page.el, 'Export outages as CSV')!.click());
    await until(() => clicked.length === 1, 'the download');
    expect(api.requests).toContain('GET /api/outages?site=lab&format=csv');
    expect(clicked[0]).toEqual({ href: 'blob:test', download: 'powerpulse-outages.csv' });
    expect(await blobs[0].text()).toContain('id,upsId');
    // A failed export says so and downloads nothing.
    await act(async () => buttonNamed(page.el, 'Export outages as JSON')!.click());
    const alert = await until(() => page.el.querySelector('[role="alert"]'), 'the error');
    expect(alert.textContent).toBe('The export failed: Disk full');
    expect(clicked).toHaveLength(1);
    await page.unmount();
  });

  it('shows the fleet timeline newest first, with older pages and a kind filter', async () => {
    api = await startRecordingApi({
      'GET /api/ups-systems': { body: UPS },
      'GET /api/outages?limit=50': { body: { outages: [], nextCursor: null } },
      'GET /api/events?limit=50': { body: { events: [event({ id: 51, kind: 'online', previousStatus: 'OB', newStatus: 'OL' })], nextBefore: 51 } },
      'GET /api/events?limit=50&before=51': { body: { events: [event({ id: 50 })], nextBefore: null } },
      'GET /api/events?kind=online&limit=50': { body: { events: [event({ id: 51, kind: 'online' })], nextBefore: null } },
      'GET /api/events?kind=online&format=csv': { body: 'x' },
    });
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:t');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const page = await mount(<ReportsPage />);
    await until(() => page.el.textContent?.includes('No outages match these filters.'), 'the empty outages');
    await act(async () => buttonNamed(page.el, 'Fleet timeline')!.click());
    await until(() => page.el.querySelector('[data-testid="timeline-event"]'), 'the events');
    await act(async () => buttonNamed(page.el, 'Older events')!.click());
    await until(() => page.el.querySelectorAll('[data-testid="timeline-event"]').length === 2, 'the older page');
    const items = [...page.el.querySelectorAll('[data-testid="timeline-event"]')];
    expect(items.map((i) => i.getAttribute('data-kind'))).toEqual(['online', 'on_battery']);
    expect(items[0].textContent).toContain('Power restored');
    expect(items[1].textContent).toContain('OL → OB DISCHRG');
    await typeInto(controlLabelled<HTMLSelectElement>(page.el, 'Event')!, 'online');
    await until(() => api!.requests.includes('GET /api/events?kind=online&limit=50'), 'the kind filter');
    await act(async () => buttonNamed(page.el, 'Export events as CSV')!.click());
    await until(() => api!.requests.includes('GET /api/events?kind=online&format=csv'), 'the export with the kind');
    await page.unmount();
  });

  it('shows energy per UPS in the browser time zone with its coverage and cost', async () => {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const summary = {
      from: '',
      to: '',
      group: 'ups',
      currency: 'EUR',
      pricePerKwh: 0.3,
      rows: [{ key: '3', label: 'Closet UPS', upsId: 3, kwh: 12.5, cost: 3.75, coverage: 0.78, estimated: 0.4 }],
      total: { kwh: 12.5, cost: 3.75, coverage: 0.78, estimated: 0.4 },
    };
    // The energy URL holds "now": answer any /api/energy request.
    api = await startRecordingApi(
      new Proxy({} as Record<string, { body: unknown }>, {
        get: (_t, key: string) =>
          key.startsWith('GET /api/energy?') ? { body: summary } : key === 'GET /api/ups-systems' ? { body: UPS } : key.startsWith('GET /api/outages') ? { body: { outages: [], nextCursor: null } } : undefined,
      }),
    );
    const page = await mount(<ReportsPage />);
    await act(async () => buttonNamed(page.el, 'Energy')!.click());
    const row = await until(() => page.el.querySelector('[data-testid="energy-row"]'), 'the energy row');
    expect(plain(row.textContent)).toContain('12.5 kWh');
    expect(plain(row.textContent)).toContain('€3.75');
    expect(plain(page.el.querySelector('[data-testid="energy-coverage"]')!.textContent)).toBe('78% of the period measured; 40% estimated from load');
    const url = new URL(api.requests.find((r) => r.startsWith('GET /api/energy'))!.slice(4), 'http://x');
    expect(url.searchParams.get('group')).toBe('ups');
    expect(url.searchParams.get('tz')).toBe(tz);
    expect(url.searchParams.get('from')).toBeTruthy();
    await act(async () => buttonNamed(page.el, 'Month')!.click());
    await until(() => api!.requests.some((r) => r.includes('group=month')), 'the month request');
    await page.unmount();
  });
});
