/** UPS objects shaped as the API sends them (CONTRACT: status model), for the UI's tests. */
import type { Condition, LastKnown, Ups } from '../types';

export const cond = (code: string, label: string, severity: Condition['severity']): Condition => ({ code, label, severity });

export function apiUps(id: number, extra: Partial<Ups> = {}): Ups {
  return {
    id,
    name: `ups${id}`,
    nickname: null,
    displayName: `UPS ${id}`,
    upsName: `ups${id}`,
    nutServerId: 1,
    site: null,
    tags: [],
    model: 'Smart-UPS 1500',
    status: 'Online',
    powerState: 'online',
    severity: 'ok',
    conditions: [],
    summaryBucket: 'online',
    lastKnown: null,
    statusTokens: ['OL'],
    batteryCharge: 100,
    batteryVoltage: 27.3,
    inputVoltage: 230,
    outputVoltage: 230,
    runtimeRemaining: 30,
    load: 0,
    temperature: null,
    lastUpdated: new Date().toISOString(),
    reachable: true,
    stale: false,
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

export function lastKnown(extra: Partial<LastKnown> = {}): LastKnown {
  return {
    at: new Date(Date.now() - 120_000).toISOString(),
    status: 'On Battery',
    powerState: 'on_battery',
    severity: 'warning',
    conditions: [cond('discharging', 'Discharging', 'info')],
    statusTokens: ['OB', 'DISCHRG'],
    batteryCharge: 92,
    batteryVoltage: 25.1,
    inputVoltage: 0,
    outputVoltage: 230,
    runtimeRemaining: 20,
    load: 35,
    temperature: null,
    ...extra,
  };
}

/** What the API sends while data is stale or the server unreachable: nothing live. */
export function notLive(id: number, extra: Partial<Ups> = {}): Ups {
  return apiUps(id, {
    status: 'Unknown',
    powerState: 'unknown',
    severity: 'unknown',
    conditions: [],
    summaryBucket: 'unknown',
    statusTokens: [],
    batteryCharge: null,
    batteryVoltage: null,
    inputVoltage: null,
    outputVoltage: null,
    runtimeRemaining: null,
    load: null,
    temperature: null,
    stale: true,
    ...extra,
  });
}
