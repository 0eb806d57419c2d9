// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../../../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../../test/harness';
import { apiChannel } from '../../../test/channels';
import { apiUps } from '../../../test/ups';
import type { AlertRule, EventKindInfo } from '../../../types';
import AlertRulesSection from './AlertRulesSection';

// As `GET /api/alert-rules/event-kinds` answers: the form's checkboxes come from it.
const eventKinds: EventKindInfo[] = [
  { kind: 'on_battery', title: 'Power failure', severity: 'warning', neverMuted: false },
  { kind: 'low_battery', title: 'Battery low', severity: 'critical', neverMuted: true },
  { kind: 'threshold_load', title: 'Load over its limit', severity: 'warning', neverMuted: false },
];
const opsRoom = apiChannel(3, { name: 'Ops room', kind: 'slack', shared: true, ownerId: null, summary: 'hooks.slack.com', config: { url: { set: true } } });
const existing: AlertRule = {
  id: 8,
  name: 'Night shift',
  enabled: true,
  ups: [2],
  events: ['low_battery'],
  channels: [3],
  repeat_every: 1800,
  templates: {},
  mute_critical: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

let api: RecordingApi;
let postAnswer: { status: number; body: unknown };
beforeEach(async () => {
  setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
  postAnswer = { status: 201, body: { ...existing, id: 9, name: 'Everyone' } };
  api = await startRecordingApi({
    'GET /api/alert-rules/event-kinds': { body: eventKinds },
    'GET /api/alert-rules': { body: [existing] },
    'GET /api/notification-channels?scope=shared': { body: [opsRoom] },
    'GET /api/ups-systems': { body: [apiUps(1, { displayName: 'Rack A' }), apiUps(2, { displayName: 'Rack B' })] },
    'POST /api/alert-rules': () => postAnswer,
  });
});
afterEach(() => api.close());

const checkbox = (root: Element, label: string) =>
  [...root.querySelectorAll('label.checkbox-option')].find((l) => l.querySelector('span')?.textContent === label)?.querySelector('input') as HTMLInputElement | undefined;

describe('AlertRulesSection', () => {
  it('lists rules in words from the event kinds, channels and UPS', async () => {
    const page = await mount(<AlertRulesSection />);
    const row = await until(() => page.el.querySelector('[data-testid="rule-row"]')?.textContent?.includes('Rack B') && page.el.querySelector('[data-testid="rule-row"]')!, 'the rule with its UPS');
    expect(row.textContent).toContain('Night shift');
    expect(row.textContent).toContain('Battery low on Rack B → Ops room');
    expect(row.textContent).toContain('Reminds every 30 min');
    await page.unmount();
  });

  it('draws the event kinds from the API and sends the rule', async () => {
    const page = await mount(<AlertRulesSection />);
    const add = await until(() => buttonNamed(page.el, 'Add rule'), 'Add rule');
    await act(async () => add.click());
    const form = page.el.querySelector('form[aria-label="New alert rule"]')!;
    const events = [...form.querySelectorAll('fieldset')].find((f) => f.querySelector('legend')?.textContent === 'Events')!;
    expect([...events.querySelectorAll('label.checkbox-option > span:first-of-type')].map((s) => s.textContent)).toEqual(['Power failure', 'Battery low', 'Load over its limit']);
    expect(events.textContent).toContain('critical, sent even while muted');
    // The mute switch names the kinds a mute never silences, from the API too.
    expect(form.textContent).toContain('Without this, a mute never silences Battery low.');

    await typeInto(controlLabelled(form as HTMLElement, 'Rule name')!, 'Everyone');
    await act(async () => checkbox(form, 'Load over its limit')!.click());
    await act(async () => checkbox(form, 'Power failure')!.click());
    await act(async () => checkbox(form, 'Ops room')!.click());
    // A custom title for one of the chosen kinds.
    await typeInto(form.querySelector<HTMLInputElement>('#override-on_battery-title')!, '{{ ups }} lost power');
    await act(async () => form.querySelector<HTMLInputElement>('input[role="switch"][name="rule-repeat"]')!.click());
    await typeInto(controlLabelled(form as HTMLElement, 'Repeat every (minutes)')!, '15');
    await act(async () => buttonNamed(form as HTMLElement, 'Add rule')!.click());
    const post = await until(() => api.sent.find((r) => r.method === 'POST'), 'the POST');
    expect(post.body).toEqual({
      name: 'Everyone',
      enabled: true,
      ups: 'all',
      events: ['on_battery', 'threshold_load'],
      channels: [3],
      repeat_every: 900,
      templates: { on_battery: { title: '{{ ups }} lost power', body: '' } },
      mute_critical: false,
    });
    await until(() => page.el.textContent?.includes('Rule Everyone added.'), 'the added message');
    await page.unmount();
  });

  it('shows the API error next to the field it names', async () => {
    postAnswer = { status: 400, body: { message: 'events must be a non-empty list of event kinds', error: 'validation_error', field: 'events' } };
    const page = await mount(<AlertRulesSection />);
    const add = await until(() => buttonNamed(page.el, 'Add rule'), 'Add rule');
    await act(async () => add.click());
    const form = page.el.querySelector('form[aria-label="New alert rule"]') as HTMLElement;
    await typeInto(controlLabelled(form, 'Rule name')!, 'Nothing');
    await act(async () => buttonNamed(form, 'Add rule')!.click());
    const events = [...form.querySelectorAll('fieldset')].find((f) => f.querySelector('legend')?.textContent === 'Events')!;
    const error = await until(() => events.querySelector('[role="alert"]'), 'the events error');
    expect(error.textContent).toBe('events must be a non-empty list of event kinds');
    await page.unmount();
  });
});
