// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { useQuery } from '@tanstack/react-query';
import { getUps } from '../api/endpoints';
import { keys } from '../api/keys';
import { setSession } from '../api/session';
import { buttonNamed, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import { apiUps } from '../test/ups';
import type { MuteState } from '../types';
import { MuteControl } from './MuteControl';
import { UpsCard } from './UpsCard';

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const noop = () => undefined;

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

/** The UPS page's way: the UPS from its query, which a mute updates. */
function UpsMute({ canMute }: { canMute: boolean }) {
  const { data } = useQuery({ queryKey: keys.ups(4), queryFn: () => getUps(4) });
  return data ? <MuteControl ups={data} canMute={canMute} /> : null;
}

describe('mute display', () => {
  it('a card says "Muted until … (reason)" while the mute is ahead, and nothing once it is over', async () => {
    const until1 = inMinutes(90);
    const page = await mount(
      <>
        <UpsCard ups={apiUps(1, { mutedUntil: until1, muteReason: 'battery swap' })} selected={false} kioskChecked={false} onSelect={noop} onKioskToggle={noop} />
        <UpsCard ups={apiUps(2, { mutedUntil: inMinutes(-5), muteReason: 'old' })} selected={false} kioskChecked={false} onSelect={noop} onKioskToggle={noop} />
        <UpsCard ups={apiUps(3, { mutedUntil: null, muteReason: null })} selected={false} kioskChecked={false} onSelect={noop} onKioskToggle={noop} openAlerts={2} unacknowledgedAlerts={1} />
      </>,
    );
    const [muted, expired, plain] = [...page.el.querySelectorAll('[data-testid="ups-card"]')];
    const line = muted.querySelector('[data-testid="muted"]')!;
    expect(line.textContent).toContain(`Muted until ${new Date(until1).toLocaleString()} (battery swap)`);
    expect(expired.querySelector('[data-testid="muted"]')).toBeNull();
    expect(plain.querySelector('[data-testid="muted"]')).toBeNull();
    expect(plain.querySelector('[data-testid="open-alerts"]')!.textContent).toBe('⚠ 2 open alerts, 1 not acknowledged');
    await page.unmount();
  });

  it('users see the mute but get no buttons', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    const page = await mount(<MuteControl ups={apiUps(4, { mutedUntil: inMinutes(30), muteReason: null })} canMute={false} />);
    expect(page.el.querySelector('[data-testid="muted"]')!.textContent).toMatch(/^Muted until [^(]+$/); // no "(…)" without a reason
    expect(page.el.querySelectorAll('button').length).toBe(0);
    await page.unmount();
  });

  it('admins mute for a chosen time with a reason, then unmute', async () => {
    // Answers like the API: the mute shows on the UPS object afterwards.
    let state: MuteState = { message: '', mutedUntil: null, muteReason: null };
    api = await startRecordingApi({
      'GET /api/ups-systems/4': () => ({ body: apiUps(4, { mutedUntil: state.mutedUntil, muteReason: state.muteReason }) }),
      'POST /api/ups-systems/4/mute': () => {
        state = { message: 'UPS muted', mutedUntil: inMinutes(240), muteReason: 'generator test' };
        return { body: state };
      },
      'DELETE /api/ups-systems/4/mute': () => {
        state = { message: 'UPS unmuted', mutedUntil: null, muteReason: null };
        return { body: state };
      },
    });
    const page = await mount(<UpsMute canMute />);
    const select = await until(() => page.el.querySelector('select'), 'the mute form');
    expect([...select.options].map((o) => o.textContent)).toContain('4 hours');
    await typeInto(select, '240');
    await typeInto(page.el.querySelector<HTMLInputElement>('input[aria-label="Reason"]')!, 'generator test');
    await act(async () => buttonNamed(page.el, 'Mute UPS 4')!.click());
    const line = await until(() => page.el.querySelector('[data-testid="muted"]'), 'the muted line');
    expect(line.textContent).toContain('(generator test)');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({ minutes: 240, reason: 'generator test' });
    await act(async () => buttonNamed(page.el, 'Unmute UPS 4')!.click());
    await until(() => !page.el.querySelector('[data-testid="muted"]'), 'unmuted');
    expect(api.sent.some((r) => r.method === 'DELETE' && r.url === '/api/ups-systems/4/mute')).toBe(true);
    await page.unmount();
  });
});
