// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../test/harness';
import { adminKind, apiChannel, hookKind } from '../../test/channels';
import { ChannelList } from './ChannelList';

let api: RecordingApi;
afterEach(() => api.close());

const asUser = () => setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });

describe('ChannelList (personal channels)', () => {
  it('lists channels with kind, summary and last delivery; slot channels point at the fields above', async () => {
    asUser();
    api = await startRecordingApi({
      'GET /api/notification-channels/kinds': { body: [hookKind, adminKind] },
      'GET /api/notification-channels?scope=personal': {
        body: [
          apiChannel(5, { lastDelivery: { state: 'failed', at: new Date().toISOString(), error: 'HTTP 404: Unknown Webhook' } }),
          apiChannel(6, { kind: 'discord', name: 'Discord', slot: 'discord', summary: 'discord.com webhook', config: { url: { set: true } } }),
        ],
      },
    });
    const page = await mount(<ChannelList scope="personal" />);
    const rows = await until(() => {
      const r = page.el.querySelectorAll('[data-testid="channel-row"]');
      return r.length === 2 && r;
    }, 'two channels');
    expect(rows[0].textContent).toContain('Hook 5');
    expect(rows[0].textContent).toContain('Test hook'); // the kind's label from the API
    expect(rows[0].textContent).toContain('topic ups');
    expect(rows[0].querySelector('[data-testid="last-delivery"]')!.textContent).toMatch(/failed .* — HTTP 404: Unknown Webhook/);
    expect(buttonNamed(rows[0] as HTMLElement, 'Edit Hook 5')).toBeDefined();
    // The seed's Discord field: listed once, with a note, and managed above.
    expect(rows[1].querySelector('[data-testid="slot-note"]')?.textContent).toContain('setting above');
    expect(buttonNamed(rows[1] as HTMLElement, 'Edit Discord')).toBeUndefined();
    expect(buttonNamed(rows[1] as HTMLElement, 'Send test to Discord')).toBeDefined();
    await page.unmount();
  });

  it('offers only the kinds a user may create, and adds a channel from the drawn form', async () => {
    asUser();
    api = await startRecordingApi({
      'GET /api/notification-channels/kinds': { body: [hookKind, adminKind] },
      'GET /api/notification-channels?scope=personal': { body: [] },
      'POST /api/notification-channels': (req) => ({ status: 201, body: apiChannel(9, { name: (req.body as { name: string }).name }) }),
    });
    const page = await mount(<ChannelList scope="personal" />);
    const add = await until(() => buttonNamed(page.el, 'Add channel') && !buttonNamed(page.el, 'Add channel')!.disabled && buttonNamed(page.el, 'Add channel'), 'Add channel');
    await act(async () => add.click());
    const kind = controlLabelled<HTMLSelectElement>(page.el, 'Kind')!;
    expect([...kind.options].map((o) => o.textContent)).toEqual(['Choose a service…', 'Test hook']); // no admin-only kind
    await typeInto(kind, 'hook');
    await typeInto(controlLabelled(page.el, 'URL')!, 'https://example.lan/x');
    await typeInto(controlLabelled(page.el, 'Topic')!, 'ups');
    await act(async () => buttonNamed(page.el, 'Add channel')!.click());
    const post = await until(() => api.sent.find((r) => r.method === 'POST'), 'the POST');
    expect(post.body).toEqual({ kind: 'hook', name: 'Test hook', enabled: true, config: { url: 'https://example.lan/x', topic: 'ups', server: 'https://push.example', method: 'POST' } });
    await until(() => page.el.textContent?.includes('Channel Test hook added.'), 'the added message');
    await page.unmount();
  });

  it('edits a channel: untouched secrets stay out of the PUT, and errors show at their field', async () => {
    asUser();
    let answer = { status: 400, body: { message: 'Topic must be letters and digits', error: 'invalid_channel_config', field: 'config.topic' } as unknown };
    api = await startRecordingApi({
      'GET /api/notification-channels/kinds': { body: [hookKind] },
      'GET /api/notification-channels?scope=personal': { body: [apiChannel(5)] },
      'PUT /api/notification-channels/5': () => answer,
    });
    const page = await mount(<ChannelList scope="personal" />);
    const edit = await until(() => buttonNamed(page.el, 'Edit Hook 5'), 'Edit');
    await act(async () => edit.click());
    await typeInto(controlLabelled(page.el, 'Name')!, 'Renamed');
    await typeInto(controlLabelled(page.el, 'Topic')!, 'ups alerts');
    await act(async () => buttonNamed(page.el, 'Save channel')!.click());
    const error = await until(() => page.el.querySelector('[data-field="topic"] [role="alert"]'), 'the field error');
    expect(error.textContent).toBe('Topic must be letters and digits');
    const put = api.sent.find((r) => r.method === 'PUT')!;
    expect(put.url).toBe('/api/notification-channels/5');
    expect(put.body).toEqual({ name: 'Renamed', config: { topic: 'ups alerts', method: 'PUT' } });

    answer = { status: 200, body: apiChannel(5, { name: 'Renamed' }) };
    await typeInto(controlLabelled(page.el, 'Topic')!, 'upsalerts');
    await act(async () => buttonNamed(page.el, 'Save channel')!.click());
    await until(() => !buttonNamed(page.el, 'Save channel'), 'the form closed');
    const puts = api.sent.filter((r) => r.method === 'PUT');
    expect(puts[1].body).toEqual({ name: 'Renamed', config: { topic: 'upsalerts', method: 'PUT' } });
    await page.unmount();
  });

  it('"Send test" shows what the service answered, and the switch turns a channel off', async () => {
    asUser();
    api = await startRecordingApi({
      'GET /api/notification-channels/kinds': { body: [hookKind] },
      'GET /api/notification-channels?scope=personal': { body: [apiChannel(5)] },
      'POST /api/notification-channels/5/test': {
        status: 502,
        body: { message: 'Error sending test notification: HTTP 401: invalid token', error: 'delivery_failed', channel: 'hook', reason: 'HTTP 401: invalid token' },
      },
      'PUT /api/notification-channels/5': { body: apiChannel(5, { enabled: false }) },
    });
    const page = await mount(<ChannelList scope="personal" />);
    const test = await until(() => buttonNamed(page.el, 'Send test to Hook 5'), 'Send test');
    await act(async () => test.click());
    const result = await until(() => page.el.querySelector('[data-testid="channel-test"] [role="alert"]'), 'the test result');
    expect(result.textContent).toContain('Test failed: HTTP 401: invalid token');
    const toggle = page.el.querySelector<HTMLInputElement>('input[role="switch"][name="enabled-5"]')!;
    expect(toggle.checked).toBe(true);
    await act(async () => toggle.click());
    const put = await until(() => api.sent.find((r) => r.method === 'PUT'), 'the PUT');
    expect(put.body).toEqual({ enabled: false });
    await page.unmount();
  });
});
