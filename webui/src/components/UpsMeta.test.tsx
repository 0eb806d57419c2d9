// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearSession, setSession } from '../api/session';
import { act } from 'react';
import { mount, startApi, until, type FakeApi } from '../test/harness';
import { apiUps } from '../test/ups';
import { UpsMeta } from './UpsMeta';

let api: FakeApi;
beforeAll(async () => {
  api = await startApi({
    '/api/nut-servers': [
      { id: 1, host: 'nut.lan', port: 3493, username: null },
      { id: 2, host: '10.0.0.9', port: 3494, username: 'monuser' },
    ],
  });
});
afterAll(() => api.close());
afterEach(() => clearSession());
const settle = () => act(() => new Promise((r) => setTimeout(r, 60)));

// The API sends serials in the detail groups to signed-in users; there are no brand/serial/server fields.
const ups = apiUps(5, {
  nutServerId: 2,
  model: '5P 1550',
  deviceDetails: { mfr: 'Eaton', model: '5P 1550', serial: 'G118K0001' },
  upsDetails: { serial: 'G118K0001' },
});

describe('UpsMeta', () => {
  it('shows admins the make, the serial and the NUT server looked up by nutServerId', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    const m = await mount(<UpsMeta ups={ups} />);
    await until(() => m.el.querySelector('[data-testid="ups-server"]'), 'the NUT server');
    expect(m.el.textContent).toBe('Eaton 5P 1550 · S/N G118K0001 · NUT 10.0.0.9:3494');
    expect(api.requests).toContain('GET /api/nut-servers');
    await m.unmount();
  });

  it('falls back to ups.serial', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    const m = await mount(<UpsMeta ups={{ ...ups, deviceDetails: { mfr: 'Eaton' }, upsDetails: { serial: 'X1' } }} />);
    await until(() => m.el.querySelector('[data-testid="ups-server"]'), 'the NUT server');
    expect(m.el.textContent).toBe('Eaton 5P 1550 · S/N X1 · NUT 10.0.0.9:3494');
    await m.unmount();
  });

  it('shows a non-admin neither, and does not ask for the (admin only) servers', async () => {
    setSession('tok', { id: 2, username: 'bob', email: null, role: 'user', isAdmin: false });
    const before = api.requests.length;
    const m = await mount(<UpsMeta ups={ups} />);
    await settle();
    expect(m.el.textContent).toBe('Eaton 5P 1550');
    expect(api.requests.length).toBe(before);
    await m.unmount();
  });

  it('says "Model unknown" when the UPS reports no model', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    const m = await mount(<UpsMeta ups={apiUps(6, { model: null, nutServerId: 99 })} />);
    await until(() => api.requests.length > 0);
    await settle();
    expect(m.el.textContent).toBe('Model unknown');
    await m.unmount();
  });
});
