// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { Route, Routes } from 'react-router';
import { setSession } from '../../api/session';
import { buttonNamed, controlLabelled, mount, startRecordingApi, until, type RecordingApi } from '../../test/harness';
import { apiUps } from '../../test/ups';
import type { ShutdownPlan } from '../../lib/shutdownTypes';
import ShutdownRoutes from '../../pages/shutdown/ShutdownRoutes';

const plan: ShutdownPlan = {
  id: 4,
  name: 'Rack A',
  enabled: true,
  ups: [1],
  min_healthy: null,
  triggers: { on_battery_seconds: 120, runtime_below_minutes: null, charge_below_percent: null, low_battery: true, fsd: true, comm_lost_on_battery_seconds: null },
  stabilise_seconds: 10,
  cancel_on_restore: true,
  phases: [{ name: 'VMs', delay_seconds: 0, timeout_seconds: null, actions: [{ id: 'a1', type: 'ssh', host: 'hv1', port: 22, username: 'root', password: { set: true }, command: 'poweroff', host_key: '', timeout_seconds: 60 }] }],
  restore: null,
  protected_hosts: [],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  updated_by: 'admin',
  active_run: null,
};

let api: RecordingApi;
beforeEach(async () => {
  setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
  api = await startRecordingApi({
    'GET /api/shutdown-plans/4': { body: plan },
    'GET /api/ups-systems': { body: [apiUps(1, { displayName: 'Rack A UPS' })] },
    'POST /api/shutdown-plans/ssh-host-key': { body: { host: 'hv1', port: 22, key: 'ssh-ed25519 AAAAC3key', fingerprint: 'SHA256:Zx9fingerprint', algorithm: 'ssh-ed25519' } },
    'PUT /api/shutdown-plans/4': { status: 400, body: { message: 'port must be between 1 and 65535', error: 'bad_request', field: 'phases[0].actions[0].port' } },
  });
});
afterEach(() => api.close());

describe('the plan editor', () => {
  it('keeps a stored password, trusts a fetched host key, and shows the server’s complaint at its input', async () => {
    const page = await mount(
      <Routes>
        <Route path="/shutdown/*" element={<ShutdownRoutes />} />
      </Routes>,
      undefined,
      '/shutdown/4/edit',
    );
    const form = await until(() => page.el.querySelector<HTMLFormElement>('form[aria-label="Edit Rack A"]'), 'the editor');
    const password = controlLabelled(form, 'Password')!;
    expect(password.value).toBe('');
    expect(password.type).toBe('password');
    expect(password.closest('.field')!.textContent).toContain('Set — leave empty to keep.');

    await act(async () => buttonNamed(form, 'Fetch host key')!.click());
    const confirm = await until(() => form.querySelector('[role="group"][aria-label="Trust this host key?"]'), 'the fingerprint');
    expect(confirm.textContent).toContain('SHA256:Zx9fingerprint');
    await act(async () => buttonNamed(confirm as HTMLElement, 'Trust this key')!.click());
    expect(controlLabelled<HTMLTextAreaElement>(form, 'Host key')!.value).toBe('ssh-ed25519 AAAAC3key');

    await act(async () => buttonNamed(form, 'Save plan')!.click());
    const put = await until(() => api.sent.find((r) => r.method === 'PUT'), 'the PUT');
    expect((put.body as ShutdownPlan).phases[0].actions[0]).toMatchObject({ id: 'a1', password: { set: true }, host_key: 'ssh-ed25519 AAAAC3key', port: 22 });
    const port = controlLabelled(form, 'Port')!;
    await until(() => port.getAttribute('aria-invalid') === 'true', 'the port marked');
    expect(port.closest('.field')!.textContent).toContain('port must be between 1 and 65535');
    expect(form.textContent).toContain('The plan was not saved: see the highlighted field.');
    await page.unmount();
  });
});
