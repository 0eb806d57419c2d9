import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import { applyRemoved, applySnapshot, applyUpsMessage } from '../hooks/useLiveUpdates';
import type { Ups } from '../types';
import { patchUps, patchUpsList } from './liveCache';

function ups(id: number, extra: Partial<Ups> = {}): Ups {
  return {
    id,
    name: `ups${id}`,
    nickname: null,
    displayName: `ups${id}`,
    upsName: `ups${id}`,
    site: null,
    tags: [],
    model: 'Dummy',
    status: 'Online',
    powerState: 'online',
    severity: 'ok',
    conditions: [],
    summaryBucket: 'online',
    lastKnown: null,
    statusTokens: ['OL'],
    batteryCharge: 100,
    batteryVoltage: 27,
    inputVoltage: 230,
    outputVoltage: 230,
    runtimeRemaining: 30,
    load: 20,
    temperature: null,
    nutServerId: 1,
    lastUpdated: null,
    stale: false,
    reachable: true,
    error: null,
    batteryDetails: {},
    deviceDetails: {},
    driverDetails: {},
    inputDetails: {},
    outputDetails: {},
    upsDetails: {},
    mutedUntil: null,
    muteReason: null,
    ...extra,
  };
}

describe('patchUpsList', () => {
  it('replaces only the changed UPS and keeps the others identical', () => {
    const list = [ups(1), ups(2), ups(3)];
    const next = patchUpsList(list, ups(2, { status: 'On Battery', statusTokens: ['OB'] }))!;
    expect(next).not.toBe(list);
    expect(next[0]).toBe(list[0]);
    expect(next[2]).toBe(list[2]);
    expect(next[1].statusTokens).toEqual(['OB']);
  });
  it('returns the same array when nothing changed', () => {
    const list = [ups(1), ups(2)];
    expect(patchUpsList(list, ups(2))).toBe(list);
  });
  it('appends an unknown UPS and leaves an empty cache empty', () => {
    expect(patchUpsList([ups(1)], ups(5))!.map((u) => u.id)).toEqual([1, 5]);
    expect(patchUpsList(undefined, ups(5))).toBeUndefined();
  });
  it('merges a partial public object into a full one', () => {
    const full = ups(1, { batteryDetails: { 'battery.type': 'PbAc' } });
    // A public (kiosk) update: no detail groups of its own.
    const { batteryDetails: _dropped, ...partial } = ups(1);
    void _dropped;
    const merged = patchUps(full, { ...partial, batteryCharge: 40 } as Ups)!;
    expect(merged.batteryCharge).toBe(40);
    expect(merged.batteryDetails).toEqual({ 'battery.type': 'PbAc' });
  });
});

describe('applyUpsMessage with a real QueryClient', () => {
  it('patches the list and the single-UPS query for users', () => {
    const client = new QueryClient();
    const list = [ups(1), ups(2)];
    client.setQueryData(keys.upsList, list);
    client.setQueryData(keys.ups(2), ups(2));
    applyUpsMessage(client, 'user', ups(2, { statusTokens: ['OB', 'LB'], batteryCharge: 10 }));
    const after = client.getQueryData<Ups[]>(keys.upsList)!;
    expect(after[0]).toBe(list[0]);
    expect(after[1].batteryCharge).toBe(10);
    expect(client.getQueryData<Ups>(keys.ups(2))!.statusTokens).toEqual(['OB', 'LB']);
  });
  it('accepts a wrapped {ups: …} message and patches only the kiosk list in kiosk mode', () => {
    const client = new QueryClient();
    client.setQueryData(keys.kiosk, [ups(1)]);
    client.setQueryData(keys.upsList, [ups(1)]);
    applyUpsMessage(client, 'kiosk', { ups: ups(1, { load: 99 }) });
    expect(client.getQueryData<Ups[]>(keys.kiosk)![0].load).toBe(99);
    expect(client.getQueryData<Ups[]>(keys.upsList)![0].load).toBe(20);
  });
  it('ignores malformed messages', () => {
    const client = new QueryClient();
    const list = [ups(1)];
    client.setQueryData(keys.upsList, list);
    applyUpsMessage(client, 'user', { nope: true });
    applyUpsMessage(client, 'user', null);
    expect(client.getQueryData(keys.upsList)).toBe(list);
  });
});

describe('snapshot and removed messages', () => {
  it('a snapshot replaces the list but keeps unchanged UPS identical', () => {
    const client = new QueryClient();
    const list = [ups(1), ups(2)];
    client.setQueryData(keys.upsList, list);
    applySnapshot(client, 'user', [ups(1), ups(2, { load: 70 }), ups(3)]);
    const after = client.getQueryData<Ups[]>(keys.upsList)!;
    expect(after.map((u) => u.id)).toEqual([1, 2, 3]);
    expect(after[0]).toBe(list[0]);
    expect(after[1].load).toBe(70);
    applySnapshot(client, 'user', [after[0], after[1], after[2]]);
    expect(client.getQueryData(keys.upsList)).toBe(after);
  });
  it('removed drops the UPS from the list', () => {
    const client = new QueryClient();
    client.setQueryData(keys.kiosk, [ups(1), ups(2)]);
    applyRemoved(client, 'kiosk', { id: 1 });
    expect(client.getQueryData<Ups[]>(keys.kiosk)!.map((u) => u.id)).toEqual([2]);
  });
});
