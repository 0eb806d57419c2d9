// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../test/harness';
import type { SystemSetting, SystemSettings as Answer } from '../../types';
import SystemSettings from './SystemSettings';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const setting = (key: SystemSetting['key'], value: number, source: SystemSetting['source'], over: Partial<SystemSetting> = {}): SystemSetting => ({
  key,
  env: key.toUpperCase(),
  value,
  default: value,
  min: 1,
  max: 3600,
  unit: 'seconds',
  integer: false,
  source,
  ...over,
});

const ANSWER: Answer = {
  settings: [
    setting('poll_interval', 5, 'default', { min: 0.2 }),
    setting('history_interval', 60, 'default'),
    setting('history_retention_days', 90, 'env', { unit: 'days', integer: true, default: 30, max: 3650 }),
    setting('comm_grace_seconds', 30, 'default', { min: 0 }),
    setting('discovery_interval', 120, 'database', { default: 60 }),
  ],
};

describe('system settings', () => {
  it('builds the form from the API: bounds, sources, env-set settings locked; sends only what changed', async () => {
    let current = ANSWER;
    api = await startRecordingApi({
      'GET /api/system/settings': () => ({ body: current }),
      'PUT /api/system/settings': (req) => {
        const body = req.body as Record<string, number | null>;
        current = {
          settings: current.settings.map((s) =>
            s.key in body ? { ...s, value: body[s.key] ?? s.default, source: body[s.key] === null ? 'default' : 'database' } : s,
          ),
        };
        return { body: current };
      },
    });
    const page = await mount(<SystemSettings />);
    const poll = await until(() => controlLabelled<HTMLInputElement>(page.el, 'Poll interval'), 'the form');
    expect(poll.value).toBe('5');
    expect(poll.min).toBe('0.2');
    expect(page.el.textContent).toContain('Default 5 s; from 0.2 to 3,600 s.');
    const retention = controlLabelled(page.el, 'History retention')!;
    expect(retention.disabled).toBe(true);
    expect(page.el.textContent).toContain('Set by the environment (HISTORY_RETENTION_DAYS)');
    expect(buttonNamed(page.el, 'Save system settings')!.disabled).toBe(true); // nothing changed yet
    await typeInto(poll, '2.5');
    await act(async () => buttonNamed(page.el, 'Save system settings')!.click());
    await until(() => page.el.textContent?.includes('System settings saved'), 'saved');
    expect(api.sent.find((r) => r.method === 'PUT')!.body).toEqual({ poll_interval: 2.5 });
    expect(controlLabelled(page.el, 'Poll interval')!.value).toBe('2.5');
    // A saved setting goes back to its default with null.
    const discovery = page.el.querySelector('[data-setting="discovery_interval"]')!;
    await act(async () => buttonNamed(discovery as HTMLElement, 'Use the default')!.click());
    await until(() => controlLabelled(page.el, 'Discovery interval')!.value === '60', 'the default');
    expect(api.sent.filter((r) => r.method === 'PUT')[1].body).toEqual({ discovery_interval: null });
    await page.unmount();
  });

  it('shows the API’s complaint at the setting it names', async () => {
    api = await startRecordingApi({
      'GET /api/system/settings': { body: ANSWER },
      'PUT /api/system/settings': {
        status: 400,
        body: { message: 'poll_interval must be between 0.2 and 3600 seconds', error: 'validation_error', field: 'poll_interval' },
      },
    });
    const page = await mount(<SystemSettings />);
    await typeInto(await until(() => controlLabelled<HTMLInputElement>(page.el, 'Poll interval'), 'the form'), '7');
    await act(async () => buttonNamed(page.el, 'Save system settings')!.click());
    const shown = await until(() => page.el.querySelector('[data-setting="poll_interval"] .field-error'), 'the field error');
    expect(shown.textContent).toBe('poll_interval must be between 0.2 and 3600 seconds');
    await page.unmount();
  });
});
