// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { act } from 'react';
import { QueryClient, useQuery } from '@tanstack/react-query';
import { keys } from '../api/keys';
import { applyUpsMessage } from '../hooks/useLiveUpdates';
import { mount } from '../test/harness';
import { apiUps, cond, lastKnown, notLive } from '../test/ups';
import type { Ups } from '../types';
import { KioskSingle } from './KioskSingle';
import { KioskTile } from './KioskTile';
import { renderCounts, UpsCard } from './UpsCard';

const noop = () => undefined;
function Cards() {
  const { data } = useQuery({ queryKey: keys.upsList, queryFn: () => Promise.resolve([] as Ups[]), staleTime: Infinity });
  return <>{data?.map((u) => <UpsCard key={u.id} ups={u} selected={false} kioskChecked={false} onSelect={noop} onKioskToggle={noop} />)}</>;
}

async function mountCards(list: Ups[]) {
  const client = new QueryClient();
  client.setQueryData(keys.upsList, list);
  return mount(<Cards />, client);
}

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('UpsCard under live updates (real QueryClient, real React DOM)', () => {
  it('re-renders only the card whose UPS changed, and shows its new status in words', async () => {
    const m = await mountCards([apiUps(1), apiUps(2), apiUps(3)]);
    const { el, client } = m;
    expect(el.querySelectorAll('[data-testid="ups-card"]').length).toBe(3);
    expect(el.textContent).toContain('0%'); // a load of 0 is shown, not hidden
    const before = new Map(renderCounts);

    await act(async () => {
      applyUpsMessage(
        client,
        'user',
        apiUps(2, {
          status: 'On Battery',
          powerState: 'on_battery',
          severity: 'warning',
          summaryBucket: 'onBattery',
          conditions: [cond('discharging', 'Discharging', 'info')],
          statusTokens: ['OB', 'DISCHRG'],
          batteryCharge: 80,
        }),
      );
      // The query library notifies observers on the next tick.
      await new Promise((r) => setTimeout(r, 20));
    });

    expect(renderCounts.get(1)).toBe(before.get(1));
    expect(renderCounts.get(3)).toBe(before.get(3));
    expect(renderCounts.get(2)).toBe((before.get(2) ?? 0) + 1);
    const card2 = el.querySelector('[data-ups-id="2"]')!;
    expect(text(card2.querySelector('.status-label'))).toBe('On Battery');
    expect(card2.querySelector('[data-testid="status"]')!.getAttribute('data-tone')).toBe('warning');
    expect(text(card2.querySelector('[data-testid="condition"]'))).toContain('Discharging');
    expect(card2.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe('80');
    await m.unmount();
  });
});

describe('what a card shows, from the API object', () => {
  // API object → headline, tone, chips, last-known line (null: none shown).
  const cases: [string, Ups, string, string, string[], RegExp | null][] = [
    [
      'OL TEST ALARM',
      apiUps(11, { status: 'Self Test', powerState: 'self_test', severity: 'warning', summaryBucket: 'alarm', conditions: [cond('alarm', 'Alarm', 'warning')] }),
      'Self Test',
      'warning',
      ['Alarm'],
      null,
    ],
    [
      'OL RB',
      apiUps(12, { status: 'Online', severity: 'warning', summaryBucket: 'alarm', conditions: [cond('replace_battery', 'Replace Battery', 'warning')] }),
      'Online',
      'warning',
      ['Replace Battery'],
      null,
    ],
    [
      'OB OVER',
      apiUps(13, { status: 'On Battery', powerState: 'on_battery', severity: 'critical', summaryBucket: 'onBattery', conditions: [cond('overload', 'Overload', 'critical')] }),
      'On Battery',
      'critical',
      ['Overload'],
      null,
    ],
    [
      'server down',
      notLive(14, { reachable: false, error: { code: 'unreachable', message: 'connection refused' }, lastKnown: lastKnown() }),
      'Unreachable',
      'unknown',
      [],
      /^Last known: On Battery · 92% · 2 min ago\s*Discharging$/,
    ],
    [
      'driver gone',
      notLive(15, { reachable: true, error: { code: 'data-stale', message: 'DATA-STALE' }, lastKnown: lastKnown({ status: 'Online', severity: 'ok', batteryCharge: 100, conditions: [] }) }),
      'No fresh data',
      'unknown',
      [],
      /^Last known: Online · 100% · 2 min ago$/,
    ],
    ['never polled', notLive(16, { reachable: null, lastUpdated: null, lastKnown: null }), 'Waiting for first data', 'unknown', [], null],
  ];

  it.each(cases)('%s', async (_name, ups, headline, tone, chips, lastLine) => {
    const m = await mountCards([ups]);
    const card = m.el.querySelector('[data-testid="ups-card"]')!;
    const badge = card.querySelector('[data-testid="status"]')!;
    expect(text(badge.querySelector('.status-label'))).toBe(headline);
    expect(badge.getAttribute('data-tone')).toBe(tone);
    expect([...badge.querySelectorAll('[data-testid="condition"]')].map((c) => text(c).replace(/^\S+ /, ''))).toEqual(chips);
    const last = card.querySelector('[data-testid="last-known"]');
    if (lastLine) {
      expect(text(last)).toMatch(lastLine);
      // Marked as old: the card is styled as not live, and the old readings are not the live ones.
      expect(card.classList.contains('is-stale')).toBe(true);
      expect(card.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBeNull();
      expect(text(card.querySelector('.ups-card-metrics'))).not.toMatch(/\d/);
      // "Updated just now" would read as fresh: the last known line carries the time instead.
      expect(text(card.querySelector('.ups-card-foot'))).not.toContain('Updated');
    } else {
      expect(last).toBeNull();
    }
    expect(card.textContent).not.toContain('Stale data');
    await m.unmount();
  });

  it('says why the data is not live, in the API\'s words', async () => {
    const m = await mountCards([notLive(7, { reachable: false, error: { code: 'unreachable', message: 'connection refused' }, lastKnown: lastKnown() })]);
    expect(m.el.querySelector('[role="note"]')?.textContent).toBe('connection refused');
    expect(m.el.querySelector('[data-testid="ups-card"]')!.getAttribute('aria-label')).toBe('UPS 7: Unreachable, last known On Battery');
    await m.unmount();
  });

  it('comes back to live styling when fresh data arrives', async () => {
    const m = await mountCards([notLive(8, { reachable: false, lastKnown: lastKnown() })]);
    await act(async () => {
      applyUpsMessage(m.client, 'user', apiUps(8));
      await new Promise((r) => setTimeout(r, 20));
    });
    const card = m.el.querySelector('[data-testid="ups-card"]')!;
    expect(text(card.querySelector('.status-label'))).toBe('Online');
    expect(card.querySelector('[data-testid="last-known"]')).toBeNull();
    expect(card.classList.contains('is-stale')).toBe(false);
    await m.unmount();
  });
});

describe('the kiosk shows the same states, and never a serial or server', () => {
  const secret = apiUps(21, {
    deviceDetails: { serial: 'AS0915123456', mfr: 'APC' },
    upsDetails: { serial: 'AS0915123456' },
  });

  it.each([
    ['tile', (u: Ups) => <KioskTile ups={u} />],
    ['single', (u: Ups) => <KioskSingle ups={u} />],
  ])('%s', async (_name, render) => {
    const live = await mount(render(apiUps(22, { status: 'Self Test', severity: 'warning', conditions: [cond('alarm', 'Alarm', 'warning')] })));
    expect(text(live.el.querySelector('.status-label'))).toBe('Self Test');
    expect(text(live.el.querySelector('[data-testid="condition"]'))).toContain('Alarm');
    await live.unmount();

    const old = await mount(render(notLive(23, { reachable: false, lastKnown: lastKnown() })));
    expect(text(old.el.querySelector('.status-label'))).toBe('Unreachable');
    expect(text(old.el.querySelector('[data-testid="last-known"]'))).toMatch(/^Last known: On Battery · 92% · 2 min ago/);
    expect(old.el.querySelector('[data-testid="kiosk-ups"]')!.classList.contains('is-stale')).toBe(true);
    await old.unmount();

    const s = await mount(render(secret));
    expect(s.el.textContent).not.toContain('AS0915123456');
    expect(s.el.textContent).not.toContain('NUT ');
    await s.unmount();
  });
});
