// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { NutServer } from '../types';
import { ServerForm } from './ServerForm';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const SAVED = {
  id: 3,
  host: 'nut.lan',
  port: 3493,
  username: 'monitor',
  hasPassword: true,
  starttls: false,
  autoAdd: true,
  site: null,
} as unknown as NutServer;

const noop = () => undefined;

describe('NUT server form', () => {
  it('turns STARTTLS on, says what upsd needs, and sends it with the test and the save', async () => {
    api = await startRecordingApi({
      'POST /api/nut-servers/test': { body: { message: 'Connection successful', upsList: ['ups1'] } },
      'PUT /api/nut-servers/3': { body: { message: 'NUT server updated' } },
    });
    let done = '';
    const page = await mount(<ServerForm server={SAVED} onDone={(m) => (done = m)} onCancel={noop} />);
    const toggle = page.el.querySelector<HTMLInputElement>('input[name="starttls"]')!;
    expect(toggle.checked).toBe(false);
    expect(page.el.querySelector('[data-testid="starttls-help"]')).toBeNull();
    await act(async () => toggle.click());
    const help = page.el.querySelector('[data-testid="starttls-help"]')!;
    for (const word of ['CERTFILE', 'CERTPATH', 'CERTIDENT', 'SSL_CERT_FILE', 'subjectAltName']) expect(help.textContent).toContain(word);
    await act(async () => buttonNamed(page.el, 'Test connection')!.click());
    await until(() => page.el.textContent?.includes('UPS found: ups1'), 'the test result');
    await act(async () => buttonNamed(page.el, 'Save changes')!.click());
    await until(() => done, 'saved');
    const [test, put] = api.sent;
    expect(test.body).toMatchObject({ host: 'nut.lan', starttls: true });
    expect(put.body).toMatchObject({ host: 'nut.lan', port: 3493, starttls: true });
    await page.unmount();
  });

  it('shows a failed test once, as the API words it', async () => {
    api = await startRecordingApi({
      'POST /api/nut-servers/test': {
        status: 502,
        body: { message: 'Connection failed: NUT server 10.0.0.5:3493 refused the connection', error: 'unreachable' },
      },
    });
    const page = await mount(<ServerForm onDone={noop} onCancel={noop} />);
    await typeInto(controlLabelled(page.el, 'Host')!, '10.0.0.5');
    await act(async () => buttonNamed(page.el, 'Test connection')!.click());
    const result = await until(() => page.el.querySelector('[data-testid="test-result"]'), 'the result');
    await until(() => result.textContent?.includes('refused'), 'the message');
    expect(result.textContent?.match(/Connection failed/g)).toHaveLength(1);
    await page.unmount();
  });
});
