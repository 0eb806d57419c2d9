// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi, type Reply, type SentRequest } from '../../test/harness';
import { browserTimeZone, type DigestSchedule, type DigestScheduleBody } from '../../lib/digestForm';
import type { NotificationChannel } from '../../types';
import DigestSettings from './DigestSettings';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const channel = (id: number, name: string): NotificationChannel => ({
  id,
  kind: 'webhook',
  name,
  enabled: true,
  shared: true,
  ownerId: null,
  slot: null,
  config: {},
  summary: 'POST to hooks.example.lan',
  createdAt: '2026-12-01T00:00:00Z',
  lastDelivery: null,
});
const CHANNELS = [channel(3, 'Ops webhook'), channel(5, 'Team chat')];
const SCHEDULE: DigestSchedule = {
  id: 7,
  name: 'Daily summary',
  enabled: true,
  period: 'daily',
  hour: 6,
  timezone: 'Europe/Berlin',
  channels: [3],
  lastPeriod: null,
  lastSentAt: null,
  nextSendAt: '2026-12-06T05:00:00Z',
};

type Routes = Record<string, Reply | ((req: SentRequest) => Reply)>;
const start = (routes: Routes, schedules: DigestSchedule[] = []) =>
  startRecordingApi({
    'GET /api/digest-schedules': () => ({ body: schedules }),
    'GET /api/notification-channels?scope=shared': { body: CHANNELS },
    ...routes,
  });
const click = (b: HTMLElement | undefined) => act(async () => b!.click());
const checkbox = (root: HTMLElement, label: string) =>
  [...root.querySelectorAll('label.checkbox-option')].find((l) => l.textContent?.includes(label))!.querySelector('input')!;

describe('digest settings', () => {
  it('creates a schedule: the body sent, the time zone the browser’s by default, then listed', async () => {
    const schedules: DigestSchedule[] = [];
    api = await start(
      {
        'POST /api/digest-schedules': (req) => {
          const made = { ...SCHEDULE, ...(req.body as DigestScheduleBody), id: 9 } as DigestSchedule;
          schedules.push(made);
          return { status: 201, body: made };
        },
      },
      schedules,
    );
    const page = await mount(<DigestSettings />);
    await until(() => page.el.textContent?.includes('No reports are scheduled.'), 'the empty list');
    await click(buttonNamed(page.el, 'Add report'));
    const form = page.el.querySelector<HTMLElement>('form[aria-label="New report"]')!;
    expect(controlLabelled<HTMLInputElement>(form, 'Time zone')!.value).toBe(browserTimeZone());
    await typeInto(controlLabelled<HTMLInputElement>(form, 'Name')!, 'Weekly for ops');
    await typeInto(controlLabelled<HTMLSelectElement>(form, 'Send at')!, '7');
    await typeInto(controlLabelled<HTMLInputElement>(form, 'Time zone')!, 'America/New_York');
    await click(checkbox(form, 'Team chat'));
    await click(buttonNamed(form, 'Add report'));
    await until(() => page.el.textContent?.includes('Report “Weekly for ops” added.'), 'added');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({
      name: 'Weekly for ops',
      enabled: true,
      period: 'weekly',
      hour: 7,
      timezone: 'America/New_York',
      channels: [5],
    });
    const row = await until(() => page.el.querySelector('[aria-label="Report Weekly for ops"]'), 'the new row');
    expect(row.textContent).toContain('Weekly at 07:00 (America/New_York) to Team chat');
    await page.unmount();
  });

  it('checks the form before sending, and shows the API’s complaint at its field', async () => {
    api = await start({
      'POST /api/digest-schedules': {
        status: 400,
        body: { message: 'Channel 3 is not a shared channel', error: 'validation_error', field: 'channels' },
      },
    });
    const page = await mount(<DigestSettings />);
    await click(await until(() => buttonNamed(page.el, 'Add report'), 'the add button'));
    const form = page.el.querySelector<HTMLElement>('form[aria-label="New report"]')!;
    await click(buttonNamed(form, 'Add report'));
    expect(form.textContent).toContain('Give the report a name.');
    expect(form.textContent).toContain('Choose at least one channel.');
    expect(api.sent.filter((r) => r.method === 'POST')).toEqual([]);
    await typeInto(controlLabelled<HTMLInputElement>(form, 'Name')!, 'Ops');
    await click(checkbox(form, 'Ops webhook'));
    await click(buttonNamed(form, 'Add report'));
    const shown = await until(() => form.querySelector('.checkbox-group .field-error'), 'the field error');
    expect(shown.textContent).toBe('Channel 3 is not a shared channel');
    await page.unmount();
  });

  it('sends now: the delivery per channel, or the error', async () => {
    let fail = false;
    api = await start(
      {
        'POST /api/digest-schedules/7/send': () =>
          fail
            ? { status: 400, body: { message: 'None of the schedule’s channels is usable (enabled, shared)', error: 'validation_error', field: 'channels' } }
            : {
                body: {
                  period: '2026-12-04',
                  title: 'PowerPulse daily report',
                  text: 'x',
                  deliveries: [{ channel: 'webhook', channelId: 3, state: 'delivered', error: null }],
                },
              },
      },
      [SCHEDULE],
    );
    const page = await mount(<DigestSettings />);
    const row = await until(() => page.el.querySelector<HTMLElement>('[aria-label="Report Daily summary"]'), 'the row');
    expect(row.textContent).toContain('Daily at 06:00 (Europe/Berlin) to Ops webhook');
    await click(buttonNamed(row, 'Send report Daily summary now'));
    const result = await until(() => row.querySelector('[data-testid="digest-sent"]'), 'the result');
    expect(result.textContent).toContain('Report for 2026-12-04 sent.');
    expect(result.textContent).toContain('Ops webhook: delivered');
    fail = true;
    await click(buttonNamed(row, 'Send report Daily summary now'));
    const alert = await until(() => row.querySelector('[role="alert"]'), 'the error');
    expect(alert.textContent).toContain('None of the schedule’s channels is usable');
    expect(row.querySelector('[data-testid="digest-sent"]')).toBeNull();
    await page.unmount();
  });

  it('edits and deletes a schedule', async () => {
    const schedules = [SCHEDULE];
    api = await start(
      {
        'PUT /api/digest-schedules/7': (req) => {
          schedules[0] = { ...schedules[0], ...(req.body as DigestScheduleBody) } as DigestSchedule;
          return { body: schedules[0] };
        },
        'DELETE /api/digest-schedules/7': () => {
          schedules.pop();
          return { body: { message: 'Digest schedule deleted' } };
        },
      },
      schedules,
    );
    const page = await mount(<DigestSettings />);
    const row = await until(() => page.el.querySelector<HTMLElement>('[aria-label="Report Daily summary"]'), 'the row');
    await click(buttonNamed(row, 'Edit report Daily summary'));
    const form = row.querySelector<HTMLElement>('form')!;
    expect(controlLabelled<HTMLInputElement>(form, 'Time zone')!.value).toBe('Europe/Berlin'); // its own, not the browser's
    await typeInto(controlLabelled<HTMLSelectElement>(form, 'Period')!, 'monthly');
    await click(buttonNamed(form, 'Save report'));
    await until(() => row.textContent?.includes('Monthly at 06:00'), 'saved');
    expect(api.sent.find((r) => r.method === 'PUT')!.body).toMatchObject({ period: 'monthly', hour: 6, timezone: 'Europe/Berlin', channels: [3] });
    await click(buttonNamed(row, 'Delete report Daily summary'));
    await click(buttonNamed(row, 'Delete report Daily summary'));
    await until(() => page.el.textContent?.includes('No reports are scheduled.'), 'deleted');
    expect(api.requests).toContain('DELETE /api/digest-schedules/7');
    await page.unmount();
  });
});
