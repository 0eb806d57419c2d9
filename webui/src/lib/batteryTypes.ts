import type { components } from '../api/schema';

/**
 * The battery lifecycle, health and self-test shapes: the generated schema's (api/schema.d.ts, from
 * app/powerpulse/api/schemas.py), so a change of the API shows in tsc. Only names are given here.
 */
type Schemas = components['schemas'];

export type BatteryLifecycle = Schemas['BatteryLifecycle'];
export type BatteryLifecycleBody = Schemas['BatteryLifecycleBody'];
export type Health = Schemas['BatteryHealth'];
export type HealthState = Health['state'];
export type HealthPoint = Schemas['BatteryHealthPoint'];
export type FleetBattery = Schemas['BatteryFleetRow'];
export type SelfTest = Schemas['SelfTest'];
export type SelfTestState = SelfTest['state'];
export type TestType = SelfTest['testType'];
export type Readings = Schemas['SelfTestReadingsPoint'];
export type SelfTestSchedule = Schemas['SelfTestSchedule'];
export type SelfTestScheduleBody = Schemas['SelfTestScheduleBody'];
