// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { Protection } from '../lib/shutdownTypes';
import { ProtectionPanel } from './ProtectionPanel';

let api: RecordingApi | undefined;
afterEach(() => api?.close());

const protection = (over: Partial<Protection>): Protection => ({ clients: [], read_at: null, supported: true, protected_hosts: [], ...over });

describe('ProtectionPanel', () => {
  it('says when the NUT server cannot list its clients, and shows who protects what', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    api = await startRecordingApi({
      'GET /api/ups-systems/3/protection': {
        body: protection({
          supported: false,
          protected_hosts: [{ id: null, host: 'nas.lan', label: null, attached: false, source: 'plan', plan_id: 5, plan_name: 'Rack A' }],
        }),
      },
    });
    const page = await mount(<ProtectionPanel upsId={3} canEdit={false} />);
    await until(() => page.el.textContent?.includes('Not supported by this NUT server.'), 'the notice');
    const row = page.el.querySelector('[data-testid="protected-host"]')!;
    expect(row.textContent).toContain('nas.lan');
    expect(row.textContent).toContain('plan Rack A');
    expect(row.textContent).toContain('no');
    // A member changes nothing.
    expect(page.el.querySelector('form')).toBeNull();
    await page.unmount();
  });

  it('lets an admin add an operator host, listed with its clients', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    let hosts: Protection['protected_hosts'] = [];
    api = await startRecordingApi({
      'GET /api/ups-systems/3/protection': () => ({ body: protection({ clients: [{ address: '10.0.0.9', expected: true, label: 'hv1' }], read_at: new Date().toISOString(), protected_hosts: hosts }) }),
      'POST /api/ups-systems/3/protected-hosts': (req) => {
        const { host, label } = req.body as { host: string; label: string };
        hosts = [{ id: 7, host, label, attached: true, source: 'operator', plan_id: null, plan_name: null }];
        return { status: 201, body: hosts[0] };
      },
    });
    const page = await mount(<ProtectionPanel upsId={3} canEdit />);
    await until(() => page.el.textContent?.includes('10.0.0.9'), 'the clients');
    expect(page.el.textContent).toContain('hv1');
    const form = page.el.querySelector<HTMLFormElement>('form[aria-label="Add a protected host"]')!;
    await typeInto(controlLabelled(form, 'Host')!, '10.0.0.9');
    await typeInto(controlLabelled(form, 'Label')!, 'hv1');
    await act(async () => buttonNamed(form, 'Add host')!.click());
    const row = await until(() => page.el.querySelector('[data-testid="protected-host"]'), 'the new host');
    expect(row.textContent).toContain('operator');
    expect(row.textContent).toContain('yes');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({ host: '10.0.0.9', label: 'hv1' });
    expect(buttonNamed(page.el, 'Delete 10.0.0.9')).toBeTruthy();
    await page.unmount();
  });
});
