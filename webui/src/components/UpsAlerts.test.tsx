// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../api/session';
import { buttonNamed, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { AlertItem } from '../types';
import { UpsAlerts } from './UpsAlerts';

const alert = (id: number, upsId: number, extra: Partial<AlertItem> = {}): AlertItem => ({
  id,
  upsId,
  upsName: `UPS ${upsId}`,
  kind: 'on_battery',
  title: 'Power failure',
  severity: 'warning',
  status: 'On Battery',
  startedAt: new Date(Date.now() - 300_000).toISOString(),
  clearedAt: null,
  acknowledged: null,
  ...extra,
});

let api: RecordingApi;
afterEach(() => api.close());

describe('UpsAlerts', () => {
  it("shows this UPS's open alerts, who acknowledged, and acknowledges with a note", async () => {
    setSession('tok', { id: 2, username: 'maria', email: null, role: 'user', isAdmin: false });
    const acked = alert(11, 4, { kind: 'overload', title: 'Overload', severity: 'critical', acknowledged: { by: 'tom', at: new Date().toISOString(), note: 'looking' } });
    // Answers like the API: the acknowledgement shows in the list afterwards.
    let open = [alert(10, 4), acked, alert(12, 5)];
    api = await startRecordingApi({
      'GET /api/alerts': () => ({ body: open }),
      'POST /api/alerts/10/acknowledge': (req) => {
        const done = alert(10, 4, { acknowledged: { by: 'maria', at: new Date().toISOString(), note: (req.body as { note?: string }).note ?? null } });
        open = open.map((a) => (a.id === 10 ? done : a));
        return { body: { message: 'Alert acknowledged', told: 2, alert: done } };
      },
    });
    const page = await mount(<UpsAlerts upsId={4} />);
    const rows = await until(() => {
      const r = page.el.querySelectorAll('[data-testid="alert-row"]');
      return r.length === 2 && r;
    }, 'the alerts of UPS 4');
    expect(rows[1].querySelector('[data-testid="acknowledged"]')!.textContent).toMatch(/Acknowledged by tom .* — “looking”/);
    await act(async () => buttonNamed(page.el, 'Acknowledge Power failure')!.click());
    await typeInto(page.el.querySelector<HTMLInputElement>('input[aria-label="Note (optional)"]')!, 'on my way');
    await act(async () => buttonNamed(page.el, 'Confirm acknowledge')!.click());
    await until(() => rows[0].querySelector('[data-testid="acknowledged"]')?.textContent?.includes('maria'), 'acknowledged by maria');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({ note: 'on my way' });
    expect(rows[0].textContent).toContain('“on my way”');
    await page.unmount();
  });
});
