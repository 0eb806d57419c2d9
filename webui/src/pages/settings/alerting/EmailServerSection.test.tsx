// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../../test/harness';
import type { SmtpSettings } from '../../../types';
import EmailServerSection from './EmailServerSection';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

// SMTP_HOST and SMTP_PORT set in the container: those two fields are the environment's.
const FROM_ENV: SmtpSettings = {
  host: 'mail.env',
  port: 587,
  user: 'mailer',
  password: { set: true },
  from: 'ups@example.com',
  security: 'starttls',
  source: 'environment',
  locked: ['host', 'port'],
};

describe('email server', () => {
  it('locks what the environment sets, saves the rest without resending a password nobody typed', async () => {
    let current = FROM_ENV;
    api = await startRecordingApi({
      'GET /api/notification-channels/smtp': () => ({ body: current }),
      'PUT /api/notification-channels/smtp': (req) => {
        current = { ...FROM_ENV, ...(req.body as object), password: { set: true }, source: 'settings' };
        return { body: current };
      },
    });
    const page = await mount(<EmailServerSection />);
    await until(() => page.el.textContent?.includes("From the container's SMTP_* environment"), 'the source');
    expect(controlLabelled(page.el, 'Server')!.disabled).toBe(true);
    expect(controlLabelled(page.el, 'Port')!.disabled).toBe(true);
    expect(page.el.textContent).toContain('Set by the environment (SMTP_HOST)');
    expect(controlLabelled(page.el, 'User name')!.disabled).toBe(false);
    await typeInto(controlLabelled<HTMLSelectElement>(page.el, 'Security')!, 'tls');
    await act(async () => buttonNamed(page.el, 'Save email server')!.click());
    await until(() => page.el.textContent?.includes('Saved here'), 'saved');
    const put = api.sent.find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual({ user: 'mailer', from: 'ups@example.com', security: 'tls' });
    expect(controlLabelled(page.el, 'Password')!.placeholder).toBe('saved — leave blank to keep');
    expect(buttonNamed(page.el, "Use the environment's server instead")).toBeDefined();
    await page.unmount();
  });

  it('shows the API’s complaint next to the field it names', async () => {
    api = await startRecordingApi({
      'GET /api/notification-channels/smtp': { body: FROM_ENV },
      'PUT /api/notification-channels/smtp': { status: 400, body: { message: 'from must be one email address', error: 'validation_error', field: 'from' } },
    });
    const page = await mount(<EmailServerSection />);
    await until(() => buttonNamed(page.el, 'Save email server'), 'the form');
    await act(async () => buttonNamed(page.el, 'Save email server')!.click());
    const shown = await until(() => page.el.querySelector('.field-error'), 'the field error');
    expect(shown.textContent).toBe('from must be one email address');
    await page.unmount();
  });

  it('sends a test mail to the address typed, and says why when it was not delivered', async () => {
    let answer = { status: 200, body: { message: 'Test mail sent to me@example.com' } as object };
    api = await startRecordingApi({
      'GET /api/notification-channels/smtp': { body: FROM_ENV },
      'POST /api/notification-channels/smtp/test': () => answer,
    });
    const page = await mount(<EmailServerSection />);
    const send = await until(() => buttonNamed(page.el, 'Send test'), 'the test button');
    expect(send.disabled).toBe(true); // no address yet
    await typeInto(controlLabelled(page.el, 'Send a test mail to')!, 'me@example.com');
    await act(async () => buttonNamed(page.el, 'Send test')!.click());
    await until(() => page.el.textContent?.includes('Test mail delivered to the server for me@example.com'), 'delivered');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({ to: 'me@example.com' });
    answer = {
      status: 502,
      body: { message: 'The test mail was not delivered: SMTP authentication failed (535)', error: 'delivery_failed', reason: 'SMTP authentication failed (535)' },
    };
    await act(async () => buttonNamed(page.el, 'Send test')!.click());
    await until(() => page.el.textContent?.includes('SMTP authentication failed (535)'), 'the reason');
    // Unsaved edits: the test would not try them, so it waits for a save.
    await typeInto(controlLabelled(page.el, 'User name')!, 'someone-else');
    expect(buttonNamed(page.el, 'Send test')!.disabled).toBe(true);
    expect(page.el.textContent).toContain('Save your changes first');
    await page.unmount();
  });
});
