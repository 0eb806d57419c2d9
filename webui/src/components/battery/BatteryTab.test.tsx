// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../test/harness';
import type { BatteryLifecycle, SelfTest } from '../../lib/batteryTypes';
import { BatteryTab } from './BatteryTab';

let api: RecordingApi | undefined;
afterEach(() => api?.close());

const URL = 'GET /api/ups-systems/4/battery/lifecycle';

const test = (over: Partial<SelfTest> = {}): SelfTest => ({
  id: 1,
  upsId: 4,
  scheduleId: null,
  testType: 'quick',
  command: 'test.battery.start.quick',
  state: 'passed',
  reason: null,
  rawResult: 'Done and passed',
  requestedAt: '2026-11-01T03:00:00Z',
  startedAt: '2026-11-01T03:00:05Z',
  finishedAt: '2026-11-01T03:01:00Z',
  readings: { start: { charge: 100, runtimeSeconds: 1800, batteryVoltage: 27.1, load: 30 }, lowest: null, end: null },
  startedBy: 'admin',
  ...over,
});

const lifecycle = (over: Partial<BatteryLifecycle> = {}): BatteryLifecycle => ({
  upsId: 4,
  batteryType: 'PbAc',
  defaultLifeMonths: 36,
  deviceDate: { variable: 'battery.date', value: '2024/03/01', date: '2024-03-01' },
  current: {
    id: 9,
    installedOn: '2024-03-01',
    source: 'device',
    expectedLifeMonths: 36,
    expectedLifeIsDefault: true,
    ageDays: 644,
    ageMonths: 21.2,
    dueOn: '2027-03-01',
    due: false,
    note: '',
  },
  history: [],
  tests: [test()],
  health: {
    state: 'unknown',
    score: null,
    reason: 'no_discharge_history',
    confidence: null,
    runtimeRatio: null,
    referenceLoad: null,
    trendPerYear: null,
    replaceBy: null,
    points: [],
  },
  ...over,
});

const text = (root: HTMLElement, id: string) => root.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';

describe('BatteryTab', () => {
  it('shows the battery, its health and its tests read-only to a member', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    api = await startRecordingApi({ [URL]: { body: lifecycle() } });
    const page = await mount(<BatteryTab upsId={4} canEdit={false} />);
    await until(() => page.el.querySelector('[data-testid="battery-lifecycle"]'), 'the lifecycle panel');
    expect(text(page.el, 'battery-installed')).toContain('Mar 1, 2024');
    expect(text(page.el, 'battery-installed')).toContain('from the UPS');
    expect(text(page.el, 'battery-age')).toBe('21.2 months of 36 months');
    expect(page.el.textContent).toContain('Mar 1, 2027'); // replace by (installed + expected life)
    expect(text(page.el, 'health-reason')).toBe('Unknown: the battery has not been discharged (no outage or test) since records began.');
    const row = page.el.querySelector('[data-testid="self-test"]')!;
    expect(row.textContent).toContain('Passed');
    expect(row.textContent).toContain('Done and passed');
    // Nothing to change for a member.
    expect(page.el.querySelector('form')).toBeNull();
    expect(buttonNamed(page.el, 'Edit battery details')).toBeUndefined();
    expect(buttonNamed(page.el, 'Run self-test now')).toBeUndefined();
    await page.unmount();
  });

  it('shows a health estimate with its trend and forecast', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    const health = { state: 'fair', score: 72, reason: null, confidence: 'medium', runtimeRatio: 0.72, referenceLoad: 31, trendPerYear: -0.08, replaceBy: '2027-06-30', points: [] } as const;
    api = await startRecordingApi({ [URL]: { body: lifecycle({ health: { ...health, points: [] } }) } });
    const page = await mount(<BatteryTab upsId={4} canEdit={false} />);
    const panel = await until(() => page.el.querySelector('[data-testid="battery-health"]'), 'the health panel');
    expect(panel.textContent).toContain('Fair');
    expect(panel.textContent).toContain('losing 8% a year');
    expect(text(page.el, 'health-replace-by')).toBe('Jun 30, 2027');
    expect(page.el.querySelector('[data-testid="health-reason"]')).toBeNull();
    await page.unmount();
  });

  it('lets an admin change the install date: sends only what changed and shows a 400 at its field', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    let answer = lifecycle();
    api = await startRecordingApi({
      [URL]: () => ({ body: answer }),
      'PUT /api/ups-systems/4/battery/lifecycle': (req) => {
        const body = req.body as { installedOn?: string };
        if (body.installedOn === '1989-12-31') return { status: 400, body: { message: 'installedOn must be a date (YYYY-MM-DD) from 1990-01-01 to today', error: 'bad_request', field: 'installedOn' } };
        answer = lifecycle({ current: { ...answer.current!, installedOn: body.installedOn ?? '', source: 'admin', ageMonths: 10.5 } });
        return { body: answer };
      },
    });
    const page = await mount(<BatteryTab upsId={4} canEdit />);
    await until(() => buttonNamed(page.el, 'Edit battery details'), 'the edit button');
    await act(async () => buttonNamed(page.el, 'Edit battery details')!.click());
    const form = page.el.querySelector<HTMLFormElement>('form[aria-label="Battery details"]')!;
    // Only the expected life changes: the date is not sent (it would make the UPS's date the admin's).
    await typeInto(controlLabelled(form, 'Expected life (months)')!, '48');
    await typeInto(controlLabelled(form, 'Installed')!, '1989-12-31');
    await act(async () => buttonNamed(form, 'Save')!.click());
    const error = await until(() => form.querySelector('.field-error'), 'the field error');
    expect(error.textContent).toBe('installedOn must be a date (YYYY-MM-DD) from 1990-01-01 to today');
    expect(controlLabelled(form, 'Installed')!.getAttribute('aria-invalid')).toBe('true');
    await typeInto(controlLabelled(form, 'Installed')!, '2025-12-20');
    await act(async () => buttonNamed(form, 'Save')!.click());
    await until(() => text(page.el, 'battery-installed').includes('set by an admin'), 'the new date');
    expect(text(page.el, 'battery-installed')).toContain('Dec 20, 2025');
    expect(text(page.el, 'battery-age')).toBe('10.5 months of 36 months');
    const puts = api.sent.filter((r) => r.method === 'PUT').map((r) => r.body);
    expect(puts).toEqual([
      { installedOn: '1989-12-31', expectedLifeMonths: 48, note: '' },
      { installedOn: '2025-12-20', expectedLifeMonths: 48, note: '' },
    ]);
    await page.unmount();
  });

  it('does not send an unchanged install date', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    api = await startRecordingApi({
      [URL]: { body: lifecycle() },
      'PUT /api/ups-systems/4/battery/lifecycle': { body: lifecycle() },
    });
    const page = await mount(<BatteryTab upsId={4} canEdit />);
    await until(() => buttonNamed(page.el, 'Edit battery details'), 'the edit button');
    await act(async () => buttonNamed(page.el, 'Edit battery details')!.click());
    const form = page.el.querySelector<HTMLFormElement>('form[aria-label="Battery details"]')!;
    await typeInto(controlLabelled(form, 'Note')!, 'APC RBC7');
    await act(async () => buttonNamed(form, 'Save')!.click());
    await until(() => api!.sent.some((r) => r.method === 'PUT'), 'the PUT');
    expect(api.sent.find((r) => r.method === 'PUT')!.body).toEqual({ expectedLifeMonths: null, note: 'APC RBC7' });
    await page.unmount();
  });

  it('says in words why a self-test was not started', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    api = await startRecordingApi({
      [URL]: { body: lifecycle({ tests: [] }) },
      'POST /api/ups-systems/4/self-tests': {
        status: 409,
        body: { message: 'The battery charge is below the limit (or not reported)', error: 'self_test_blocked', reason: 'low_charge' },
      },
    });
    const page = await mount(<BatteryTab upsId={4} canEdit />);
    await until(() => buttonNamed(page.el, 'Run self-test now'), 'the run button');
    expect(page.el.textContent).toContain('No self-tests yet.');
    await act(async () => buttonNamed(page.el, 'Run self-test now')!.click());
    const blocked = await until(() => page.el.querySelector('[data-testid="self-test-blocked"]'), 'the blocked message');
    expect(blocked.textContent).toBe('Not started: the battery charge is below the minimum.');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({ testType: 'quick' });
    await page.unmount();
  });
});
