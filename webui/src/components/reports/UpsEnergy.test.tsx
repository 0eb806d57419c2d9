// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { setSession } from '../../api/session';
import { lastDays } from '../../lib/reports';
import { buttonNamed, mount, startRecordingApi, until, type RecordingApi } from '../../test/harness';
import { UpsEnergy } from './UpsEnergy';

let api: RecordingApi | undefined;
afterEach(async () => {
  await api?.close();
  vi.restoreAllMocks();
});

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ');

describe('UpsEnergy', () => {
  it('draws 30 days of one UPS, unknown days as gaps, and downloads its raw history', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    const today = lastDays(1)[0];
    const summary = {
      from: '',
      to: '',
      group: 'day',
      currency: null,
      pricePerKwh: null,
      rows: [{ key: today, label: today, kwh: 2.25, cost: null, coverage: 0.5, estimated: 0 }],
      total: { kwh: 2.25, cost: null, coverage: 0.5, estimated: 0 },
    };
    api = await startRecordingApi(
      new Proxy({} as Record<string, { body: unknown }>, {
        get: (_t, key: string) =>
          key.startsWith('GET /api/energy?') ? { body: summary } : key.startsWith('GET /api/ups-systems/7/history?') ? { body: 'time,charge' } : undefined,
      }),
    );
    const names: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:t');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const page = await mount(<UpsEnergy upsId={7} />);
    await until(() => page.el.querySelector('[data-bucket]'), 'the bars');
    const bars = [...page.el.querySelectorAll('[data-bucket]')];
    expect(bars).toHaveLength(30);
    expect(bars.filter((b) => b.classList.contains('energy-bar-unknown'))).toHaveLength(29);
    expect(plain(bars[29].textContent)).toContain('2.25 kWh · 50% covered');
    expect(plain(page.el.querySelector('[data-testid="energy-coverage"]')!.textContent)).toBe('50% of the period measured');
    expect(page.el.textContent).toContain('No tariff set');

    const energy = new URL(api.requests.find((r) => r.startsWith('GET /api/energy'))!.slice(4), 'http://x').searchParams;
    expect(energy.get('ups')).toBe('7');
    expect(energy.get('group')).toBe('day');
    expect(energy.get('tz')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);

    await act(async () => buttonNamed(page.el, 'Download raw history (CSV)')!.click());
    await until(() => names.length === 1, 'the download');
    const raw = new URL(api.requests.find((r) => r.includes('/history?'))!.slice(4), 'http://x');
    expect(raw.pathname).toBe('/api/ups-systems/7/history');
    expect(raw.searchParams.get('raw')).toBe('true');
    expect(raw.searchParams.get('format')).toBe('csv');
    expect(raw.searchParams.get('from')).toBe(energy.get('from'));
    expect(names[0]).toMatch(/^powerpulse-ups-7-samples-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
    await page.unmount();
  });
});
