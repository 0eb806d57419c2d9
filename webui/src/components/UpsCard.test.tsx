// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { keys } from '../api/keys';
import { applyUpsMessage } from '../hooks/useLiveUpdates';
import type { Ups } from '../types';
import { renderCounts, UpsCard } from './UpsCard';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function ups(id: number, extra: Partial<Ups> = {}): Ups {
  return {
    id, name: `ups${id}`, nickname: null, displayName: `UPS ${id}`, upsName: `ups${id}`, model: null, status: 'Online',
    statusTokens: ['OL'], batteryCharge: 100, batteryVoltage: null, inputVoltage: 230, outputVoltage: null,
    runtimeRemaining: 30, load: 0, temperature: null, lastUpdated: new Date().toISOString(), reachable: true, stale: false, ...extra,
  };
}

const noop = () => undefined;
function Cards() {
  const { data } = useQuery({ queryKey: keys.upsList, queryFn: () => Promise.resolve([] as Ups[]), staleTime: Infinity });
  return <>{data?.map((u) => <UpsCard key={u.id} ups={u} selected={false} kioskChecked={false} onSelect={noop} onKioskToggle={noop} />)}</>;
}

describe('UpsCard under live updates (real QueryClient, real React DOM)', () => {
  it('re-renders only the card whose UPS changed, and shows its new status in words', async () => {
    const client = new QueryClient();
    client.setQueryData(keys.upsList, [ups(1), ups(2), ups(3)]);
    const el = document.createElement('div');
    document.body.appendChild(el);
    const root = createRoot(el);
    await act(async () => {
      root.render(
        <QueryClientProvider client={client}>
          <MemoryRouter>
            <Cards />
          </MemoryRouter>
        </QueryClientProvider>,
      );
    });
    expect(el.querySelectorAll('[data-testid="ups-card"]').length).toBe(3);
    expect(el.textContent).toContain('0%'); // a load of 0 is shown, not hidden
    const before = new Map(renderCounts);

    await act(async () => {
      applyUpsMessage(client, 'user', ups(2, { status: 'On Battery', statusTokens: ['OB', 'DISCHRG'], batteryCharge: 80 }));
      // The query library notifies observers on the next tick.
      await new Promise((r) => setTimeout(r, 20));
    });

    expect(renderCounts.get(1)).toBe(before.get(1));
    expect(renderCounts.get(3)).toBe(before.get(3));
    expect(renderCounts.get(2)).toBe((before.get(2) ?? 0) + 1);
    const card2 = el.querySelector('[data-ups-id="2"]')!;
    expect(card2.textContent).toContain('On Battery');
    expect(card2.querySelector('[data-testid="status"]')!.getAttribute('data-tone')).toBe('warning');
    expect(card2.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe('80');
    await act(async () => root.unmount());
  });

  it('says plainly when a UPS is unreachable', async () => {
    const client = new QueryClient();
    client.setQueryData(keys.upsList, [ups(7, { reachable: false, stale: true, error: { code: 'unreachable', message: 'connection refused' } })]);
    const el = document.createElement('div');
    const root = createRoot(el);
    await act(async () => {
      root.render(
        <QueryClientProvider client={client}>
          <MemoryRouter>
            <Cards />
          </MemoryRouter>
        </QueryClientProvider>,
      );
    });
    expect(el.textContent).toContain('Unreachable');
    expect(el.textContent).toContain('connection refused');
    expect(el.textContent).toContain('Last seen: Online');
    await act(async () => root.unmount());
  });
});
