// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../../api/session';
import type { SelfTestSchedule } from '../../lib/batteryTypes';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../test/harness';
import SelfTestSettings from './SelfTestSettings';

let api: RecordingApi | undefined;
afterEach(() => api?.close());

const schedule: SelfTestSchedule = {
  id: 3,
  name: 'Sunday quick test',
  enabled: true,
  ups: null,
  testType: 'quick',
  frequency: 'weekly',
  weekday: 6,
  dayOfMonth: null,
  timeOfDay: '03:00',
  timezone: 'Europe/Berlin',
  minCharge: 90,
  quietHours: 24,
  nextRunAt: '2026-12-06T02:00:00Z',
  lastDueAt: null,
};

describe('SelfTestSettings', () => {
  it('lists the schedules read-only to a member', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    api = await startRecordingApi({ 'GET /api/self-test-schedules': { body: [schedule] }, 'GET /api/ups-systems': { body: [] } });
    const page = await mount(<SelfTestSettings />);
    const item = await until(() => page.el.querySelector('[data-testid="self-test-schedule"]'), 'the schedule');
    expect(item.textContent).toContain('Sunday quick test');
    expect(item.textContent).toContain('Every Sunday at 03:00 (Europe/Berlin)');
    expect(buttonNamed(page.el, 'Add schedule')).toBeUndefined();
    expect(buttonNamed(page.el, 'Edit Sunday quick test')).toBeUndefined();
    await page.unmount();
  });

  it('lets an admin create a monthly schedule and shows a 400 at its field', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    let list: SelfTestSchedule[] = [];
    api = await startRecordingApi({
      'GET /api/self-test-schedules': () => ({ body: list }),
      'GET /api/ups-systems': { body: [] },
      'POST /api/self-test-schedules': (req) => {
        const body = req.body as SelfTestSchedule;
        if (body.timezone === 'Mars/Olympus') return { status: 400, body: { message: "Unknown time zone 'Mars/Olympus'", error: 'bad_request', field: 'timezone' } };
        list = [{ ...schedule, ...body, id: 4, nextRunAt: '2027-01-02T03:30:00Z' }];
        return { status: 201, body: list[0] };
      },
    });
    const page = await mount(<SelfTestSettings />);
    await until(() => page.el.textContent?.includes('No schedules yet.'), 'the empty list');
    await act(async () => buttonNamed(page.el, 'Add schedule')!.click());
    const form = page.el.querySelector<HTMLFormElement>('form[aria-label="New self-test schedule"]')!;
    await typeInto(controlLabelled(form, 'Name')!, 'Monthly deep');
    await typeInto(controlLabelled<HTMLSelectElement>(form, 'Test')!, 'deep');
    await typeInto(controlLabelled(form, 'Day of the month')!, '2');
    await typeInto(controlLabelled(form, 'Time')!, '03:30');
    await typeInto(controlLabelled(form, 'Time zone')!, 'Mars/Olympus');
    await act(async () => buttonNamed(form, 'Create schedule')!.click());
    const error = await until(() => form.querySelector('.field-error'), 'the field error');
    expect(error.textContent).toBe("Unknown time zone 'Mars/Olympus'");
    expect(controlLabelled(form, 'Time zone')!.getAttribute('aria-invalid')).toBe('true');
    await typeInto(controlLabelled(form, 'Time zone')!, 'UTC');
    await act(async () => buttonNamed(form, 'Create schedule')!.click());
    const item = await until(() => page.el.querySelector('[data-testid="self-test-schedule"]'), 'the new schedule');
    expect(item.textContent).toContain('Monthly on day 2 at 03:30 (UTC)');
    expect(api.sent.filter((r) => r.method === 'POST').at(-1)!.body).toEqual({
      name: 'Monthly deep',
      enabled: true,
      ups: null,
      testType: 'deep',
      frequency: 'monthly',
      weekday: null,
      dayOfMonth: 2,
      timeOfDay: '03:30',
      timezone: 'UTC',
      minCharge: 90,
      quietHours: 24,
    });
    await page.unmount();
  });
});
