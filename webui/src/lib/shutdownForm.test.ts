import { describe, expect, it } from 'vitest';
import { actionFromApi, actionToBody, draftFromPlan, draftToBody, emptyDraft, errorShownAtField, move, newAction, parseHeaders } from './shutdownForm';
import type { ShutdownPlan } from './shutdownTypes';

const plan: ShutdownPlan = {
  id: 4,
  name: 'Rack A',
  enabled: true,
  ups: [1, 2],
  min_healthy: 1,
  triggers: { on_battery_seconds: 120, runtime_below_minutes: 5, charge_below_percent: null, low_battery: true, fsd: false, comm_lost_on_battery_seconds: null },
  stabilise_seconds: 10,
  cancel_on_restore: true,
  phases: [
    {
      name: 'VMs',
      delay_seconds: 0,
      timeout_seconds: 300,
      actions: [
        { id: 'a1', type: 'ssh', host: 'hv1', port: 22, username: 'root', password: { set: true }, private_key: null, command: 'poweroff', host_key: 'ssh-ed25519 AAAA', timeout_seconds: 60 },
        { id: 'a2', type: 'http', method: 'POST', url: 'https://nas/api/off', headers: { set: true }, body: '', timeout_seconds: 10, verify_tls: false },
      ],
    },
  ],
  restore: { after_seconds: 600, min_charge_percent: 50, actions: [{ id: 'r1', type: 'wol', mac: '00:11:22:33:44:55', address: '', port: 9 }] },
  protected_hosts: [{ ups_id: 1, host: 'hv1' }],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  updated_by: 'admin',
  active_run: null,
};

describe('plan form ↔ API body', () => {
  it('gives back the same plan when nothing was changed, stored secrets kept as {"set": true}', () => {
    const body = draftToBody(draftFromPlan(plan));
    expect(body.name).toBe('Rack A');
    expect(body.triggers).toEqual(plan.triggers);
    expect(body.phases[0].actions[0]).toMatchObject({ id: 'a1', type: 'ssh', host: 'hv1', port: 22, password: { set: true }, host_key: 'ssh-ed25519 AAAA' });
    // No private key was stored: none is sent.
    expect(body.phases[0].actions[0]).not.toHaveProperty('private_key');
    expect(body.phases[0].actions[1]).toMatchObject({ headers: { set: true }, verify_tls: false });
    expect(body.restore).toEqual({ after_seconds: 600, min_charge_percent: 50, actions: [{ id: 'r1', type: 'wol', mac: '00:11:22:33:44:55', address: '', port: 9 }] });
    expect(body.protected_hosts).toEqual([{ ups_id: 1, host: 'hv1' }]);
  });

  it('never shows a stored secret, and sends what was typed instead of it', () => {
    const d = actionFromApi(plan.phases[0].actions[0]);
    expect(d.values.password).toBe('');
    expect(d.saved).toEqual(['password']);
    d.values.password = 'n3w';
    expect(actionToBody(d).password).toBe('n3w');
  });

  it('sends headers typed as lines as an object', () => {
    expect(parseHeaders('Authorization: Bearer x\nbad line\nX-A:  1 ')).toEqual({ Authorization: 'Bearer x', 'X-A': '1' });
    const a = newAction('http');
    a.values.url = 'https://h/x';
    a.values.headers = 'X-Token: t';
    expect(actionToBody(a)).toMatchObject({ type: 'http', method: 'POST', url: 'https://h/x', headers: { 'X-Token': 't' }, verify_tls: true });
  });

  it('leaves empty triggers out (null) and turns the restore sequence off', () => {
    const d = emptyDraft();
    d.name = ' New ';
    d.onBattery = '90';
    const body = draftToBody(d);
    expect(body.name).toBe('New');
    expect(body.triggers.on_battery_seconds).toBe(90);
    expect(body.triggers.runtime_below_minutes).toBeNull();
    expect(body.restore).toBeNull();
    expect(body.min_healthy).toBeNull();
  });

  it('reorders phases and actions', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });

  it('knows which API error paths it shows at an input', () => {
    expect(errorShownAtField('phases[1].actions[0].port')).toBe(true);
    expect(errorShownAtField('restore.actions[2].mac')).toBe(true);
    expect(errorShownAtField('triggers.on_battery_seconds')).toBe(true);
    expect(errorShownAtField('phases[0].actions[0].weird')).toBe(false);
    expect(errorShownAtField(null)).toBe(false);
  });
});
