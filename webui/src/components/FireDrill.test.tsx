// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { DrillDelivery, DrillReport } from '../types';
import { FireDrill } from './FireDrill';

const delivery = (extra: Partial<DrillDelivery>): DrillDelivery => ({
  phase: 'power_lost',
  rule: null,
  userId: null,
  channel: 'slack',
  channelId: 3,
  channelName: 'Ops room',
  state: 'pending',
  attempts: 0,
  lastError: null,
  deliveredAt: null,
  nextAttemptAt: null,
  ...extra,
});

function report(done: boolean, deliveries: DrillDelivery[]): DrillReport {
  return { id: 7, upsId: 4, upsName: 'Rack A', restoreAfter: 5, startedAt: '2026-01-01T00:00:00.000Z', startedBy: 'admin', done, deliveries };
}

// The report as it fills in: power lost goes out, then power restored, one channel failing.
const steps: DrillReport[] = [
  report(false, [delivery({ rule: { id: 8, name: 'Night shift' } })]),
  report(false, [delivery({ rule: { id: 8, name: 'Night shift' }, state: 'delivered', attempts: 1 }), delivery({ userId: 2, channel: 'ntfy', channelId: 5, channelName: 'My phone' })]),
  report(true, [
    delivery({ rule: { id: 8, name: 'Night shift' }, state: 'delivered', attempts: 1 }),
    delivery({ userId: 2, channel: 'ntfy', channelId: 5, channelName: 'My phone', state: 'failed', attempts: 3, lastError: 'HTTP 403: forbidden' }),
    delivery({ phase: 'power_restored', rule: { id: 8, name: 'Night shift' }, state: 'delivered', attempts: 1 }),
  ]),
];

let api: RecordingApi;
let polls = 0;
beforeEach(async () => {
  setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
  polls = 0;
  api = await startRecordingApi({
    'POST /api/ups-systems/4/drill': { status: 202, body: report(false, []) },
    'GET /api/drills/7': () => ({ body: steps[Math.min(polls++, steps.length - 1)] }),
    'GET /api/users': { body: [{ id: 2, username: 'maria', email: null, role: 'user', created_at: '2026-01-01T00:00:00.000Z' }] },
  });
});
afterEach(() => api.close());

const drillGets = () => api.sent.filter((r) => r.method === 'GET' && r.url === '/api/drills/7').length;

describe('FireDrill', () => {
  it('starts a drill and polls its report until done, listing every delivery', async () => {
    const page = await mount(<FireDrill upsId={4} upsName="Rack A" pollMs={50} />);
    await typeInto(controlLabelled(page.el, 'Power restored after (seconds)')!, '5');
    await act(async () => buttonNamed(page.el, 'Start fire drill')!.click());
    expect(await until(() => api.sent.find((r) => r.method === 'POST'), 'the POST')).toMatchObject({ url: '/api/ups-systems/4/drill', body: { restore_after: 5 } });
    const running = await until(() => page.el.querySelector('[data-testid="drill-report"][data-done="false"]'), 'the running report');
    expect(running.textContent).toContain('Drill running');

    const done = await until(() => page.el.querySelector('[data-testid="drill-report"][data-done="true"]'), 'the finished report');
    const rows = [...done.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['Power lost', 'Rule Night shift', 'Ops room (slack)', 'delivered', ''],
      ['Power lost', 'maria', 'My phone (ntfy)', 'failed after 3 attempts', 'HTTP 403: forbidden'],
      ['Power restored', 'Rule Night shift', 'Ops room (slack)', 'delivered', ''],
    ]);
    expect(done.textContent).toContain('Drill finished: 2 of 3 deliveries arrived, 1 failed.');

    // Done: no more polling.
    const after = drillGets();
    expect(after).toBe(3);
    await act(() => new Promise((r) => setTimeout(r, 250)));
    expect(drillGets()).toBe(after);
    await page.unmount();
  });
});
