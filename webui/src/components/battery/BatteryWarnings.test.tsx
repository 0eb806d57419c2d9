// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setSession } from '../../api/session';
import { todayLocal } from '../../lib/battery';
import type { FleetBattery } from '../../lib/batteryTypes';
import { mount, startRecordingApi, until, type RecordingApi } from '../../test/harness';
import { BatteryWarnings } from './BatteryWarnings';

let api: RecordingApi | undefined;
afterEach(() => api?.close());

/** `days` from today, as the API's "YYYY-MM-DD". */
const inDays = (days: number) => {
  const d = new Date(`${todayLocal()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

const row = (over: Partial<FleetBattery>): FleetBattery => ({
  upsId: 1,
  displayName: 'Rack A',
  installedOn: '2024-01-01',
  ageMonths: 12,
  expectedLifeMonths: 36,
  dueOn: inDays(700),
  due: false,
  health: { state: 'good', score: 95 },
  lastTest: null,
  warnings: [],
  ...over,
});

const settle = () => until(() => api!.requests.includes('GET /api/battery'), 'the fleet request');

describe('BatteryWarnings', () => {
  it('warns about a battery past its life, near it, or in poor health, for the UPS shown only', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    api = await startRecordingApi({
      'GET /api/battery': {
        body: [
          row({ upsId: 1, displayName: 'Rack A', due: true, dueOn: '2025-01-01', warnings: ['battery_due'] }),
          row({ upsId: 2, displayName: 'Rack B', dueOn: inDays(30) }),
          row({ upsId: 3, displayName: 'Office', health: { state: 'poor', score: 40 }, warnings: ['health_poor'] }),
          row({ upsId: 4, displayName: 'Lab', warnings: ['health_poor'] }),
          row({ upsId: 5, displayName: 'Fine' }),
        ],
      },
    });
    const page = await mount(<BatteryWarnings upsIds={[1, 2, 3, 5]} />);
    await until(() => page.el.querySelector('[data-testid="battery-warnings"]'), 'the warnings');
    const items = [...page.el.querySelectorAll('[data-testid="battery-warning"]')].map((li) => li.textContent);
    expect(items).toEqual([
      'Rack A: battery due since Jan 1, 2025',
      expect.stringMatching(/^Rack B: battery due for replacement on /),
      'Office: battery health poor',
    ]);
    expect(page.el.querySelector('a')!.getAttribute('href')).toBe('/ups-systems/1?tab=battery');
    await page.unmount();
  });

  it('shows nothing when there is nothing to say', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    api = await startRecordingApi({ 'GET /api/battery': { body: [row({ upsId: 1 }), row({ upsId: 2, dueOn: null, installedOn: null, ageMonths: null })] } });
    const page = await mount(<BatteryWarnings upsIds={[1, 2]} />);
    await settle();
    await new Promise((r) => setTimeout(r, 50));
    expect(page.el.innerHTML).toBe('');
    await page.unmount();
  });
});
