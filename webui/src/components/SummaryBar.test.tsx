// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mount, startApi, STATUS_MODEL, until, type FakeApi } from '../test/harness';
import { apiUps, cond, lastKnown, notLive } from '../test/ups';
import { SummaryBar } from './SummaryBar';

let api: FakeApi;
beforeAll(async () => {
  api = await startApi({ '/api/status-model': STATUS_MODEL });
});
afterAll(() => api.close());

const count = (el: HTMLElement, code: string) => el.querySelector(`[data-testid="summary-${code}"] .summary-n`)?.textContent;

describe('SummaryBar (labels from GET /api/status-model through the real query client)', () => {
  it('counts 4 UPS as 4: an Online UPS with Replace Battery is counted once, where the API puts it', async () => {
    const list = [
      apiUps(1, { conditions: [cond('charging', 'Charging', 'ok')] }),
      apiUps(2, { severity: 'warning', summaryBucket: 'alarm', conditions: [cond('replace_battery', 'Replace Battery', 'warning')] }),
      apiUps(3, { status: 'On Battery', severity: 'warning', summaryBucket: 'onBattery', conditions: [cond('discharging', 'Discharging', 'info')] }),
      notLive(4, { reachable: false, lastKnown: lastKnown() }),
    ];
    const m = await mount(<SummaryBar list={list} />);
    await until(() => m.el.textContent?.includes('Needs attention'), 'bucket labels from the status model');
    expect(api.requests).toContain('GET /api/status-model');
    expect([...m.el.querySelectorAll('.summary-item')].map((li) => li.textContent?.replace(/[^\w ]/g, '').trim())).toEqual([
      '1 Online',
      '1 On battery',
      '1 Needs attention',
      '1 Unknown',
    ]);
    const total = [...m.el.querySelectorAll('.summary-n')].reduce((n, e) => n + Number(e.textContent), 0);
    expect(total).toBe(4);
    expect(m.el.querySelector('[data-testid="summary-alarm"]')!.getAttribute('data-tone')).toBe('warning');
    await m.unmount();
  });

  it('shows empty buckets as 0 without colour, and never drops a UPS', async () => {
    const m = await mount(<SummaryBar list={[apiUps(1), apiUps(2), apiUps(3, { summaryBucket: 'alarm', severity: 'critical' })]} />);
    await until(() => m.el.textContent?.includes('Needs attention'));
    expect(count(m.el, 'online')).toBe('2');
    expect(count(m.el, 'onBattery')).toBe('0');
    expect(count(m.el, 'alarm')).toBe('1');
    expect(m.el.querySelector('[data-testid="summary-onBattery"]')!.getAttribute('data-tone')).toBe('none');
    expect(m.el.querySelector('[data-testid="summary-alarm"]')!.getAttribute('data-tone')).toBe('critical');
    await m.unmount();
  });
});
