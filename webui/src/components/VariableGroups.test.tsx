// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSession } from '../api/session';
import { i18n } from '../i18n';
import { mount, startApi, until, type FakeApi } from '../test/harness';
import type { NutVariable, UpsEvent } from '../types';
import { EventLines } from './EventLines';
import { VariableGroups } from './VariableGroups';

const v = (over: Partial<NutVariable>): NutVariable => ({
  name: 'x',
  value: '',
  kind: 'text',
  unit: '',
  number: null,
  date: null,
  flag: null,
  description: null,
  ...over,
});

const VARS = [
  v({ name: 'battery.runtime', value: '440', kind: 'duration', unit: 's', number: 440, description: 'Battery runtime (seconds)' }),
  v({ name: 'battery.date', value: 'garbage', kind: 'date' }),
  v({ name: 'input.voltage', value: '230.1', kind: 'voltage', unit: 'V', number: 230.1 }),
  v({ name: 'ambient.temperature', value: '21', kind: 'temperature', unit: '°C', number: 21 }),
  v({ name: 'custom.thing', value: 'x1' }),
];

const EVENTS: UpsEvent[] = [
  {
    id: 2,
    upsId: 7,
    kind: 'online',
    previousStatus: 'On Battery',
    newStatus: 'Online',
    occurredAt: '2026-01-01T12:03:12.000Z',
    details: {},
    dispatched: true,
    outage: { durationSeconds: 192, lowestCharge: 61, startedAt: '2026-01-01T12:00:00.000Z' },
  },
  {
    id: 1,
    upsId: 7,
    kind: 'on_battery',
    previousStatus: 'Online',
    newStatus: 'On Battery',
    occurredAt: '2026-01-01T12:00:00.000Z',
    details: { charge: 98 },
    dispatched: true,
    outage: null,
  },
];

let api: FakeApi;
beforeAll(async () => {
  await i18n.changeLanguage('en');
  setSession('tok', { id: 1, username: 'u', email: null, role: 'user', isAdmin: false });
  api = await startApi({
    '/api/ups-systems/7/nut-variables': { upsId: 7, lastUpdated: '2026-01-01T12:00:00.000Z', variables: VARS },
    '/api/ups-systems/7/events': { events: EVENTS, nextBefore: null },
    '/api/user-settings': { poll_interval: 30 },
  });
});
afterAll(() => api.close());

describe('VariableGroups', () => {
  it('groups the variables, formats them from their kind, raw value and description on hover', async () => {
    const m = await mount(<VariableGroups upsId={7} />);
    const runtime = await until(() => m.el.querySelector('tr[data-var="battery.runtime"]'), 'the runtime row');
    expect(runtime.querySelector('td')!.textContent!.replace(/\u00a0/g, ' ')).toBe('7 min 20 sec');
    expect(runtime.querySelector('td')!.getAttribute('title')).toBe('440');
    expect(runtime.querySelector('th')!.getAttribute('title')).toBe('Battery runtime (seconds)');
    expect(m.el.querySelector('tr[data-var="battery.date"] td')!.textContent).toBe('garbage');
    expect(m.el.querySelector('tr[data-var="battery.date"] th')!.hasAttribute('title')).toBe(false);
    expect(m.el.querySelector('tr[data-var="input.voltage"] td')!.textContent).toBe('230.1 V');
    const groups = [...m.el.querySelectorAll('details')].map((d) => d.getAttribute('data-group'));
    expect(groups).toEqual(['battery', 'input', 'ambient', 'other']);
    expect(m.el.querySelector('details[data-group="battery"] summary')!.textContent).toContain('2 variables');
    await m.unmount();
  });
});

describe('EventLines', () => {
  it('reads a restore as the outage it ended', async () => {
    const m = await mount(<EventLines upsId={7} />);
    const outage = await until(() => m.el.querySelector('[data-testid="outage"]'), 'the outage line');
    expect(outage.textContent!.replace(/\u00a0/g, ' ')).toBe('On battery for 3 min 12 sec, lowest charge 61%');
    expect(m.el.querySelectorAll('[data-testid="outage"]')).toHaveLength(1);
    expect(m.el.textContent).toContain('Power restored');
    expect(m.el.textContent).toContain('Power failure');
    await m.unmount();
  });
});
