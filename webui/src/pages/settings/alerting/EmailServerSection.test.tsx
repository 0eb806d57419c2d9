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

const FROM_ENV: SmtpSettings = {
  host: 'mail.env',
  port: 587,
  user: 'mailer',
  password: { set: true },
  from: 'ups@example.com',
  security: 'starttls',
  source: 'environment',
};

describe('email server', () => {
  it('saves a server without resending a password nobody typed, and shows where it comes from', async () => {
    let current = FROM_ENV;
    api = await startRecordingApi({
      'GET /api/notification-channels/smtp': () => ({ body: current }),
      'PUT /api/notification-channels/smtp': (req) => {
        current = { ...FROM_ENV, ...(req.body as object), password: { set: true }, source: 'settings' };
        return { body: current };
      },
    });
    const page = await mount(<EmailServerSection />);
    await until(() => page.el.textContent?.includes('From the SMTP_* environment'), 'the source');
    await typeInto(controlLabelled(page.el, 'Server')!, 'smtp.lan');
    await typeInto(controlLabelled<HTMLSelectElement>(page.el, 'Security')!, 'tls');
    await act(async () => buttonNamed(page.el, 'Save email server')!.click());
    await until(() => page.el.textContent?.includes('Saved here'), 'saved');
    const put = api.sent.find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual({ host: 'smtp.lan', port: 587, user: 'mailer', from: 'ups@example.com', security: 'tls' });
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
});
