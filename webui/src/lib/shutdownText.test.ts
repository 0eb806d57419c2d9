import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import { mergeActive, patchRun } from './shutdownLive';
import { offsetText, phaseProgress, stepDuration, timelineGroups, triggerSummary, verdictText, whatIfState } from './shutdownText';
import type { DryRunStep, ShutdownRun } from './shutdownTypes';

beforeAll(() => i18n.changeLanguage('en'));
afterAll(() => i18n.changeLanguage('en'));

const step = (over: Partial<DryRunStep>): DryRunStep => ({
  section: 'phase',
  phase: 0,
  phase_name: 'VMs',
  action_id: 'a',
  type: 'http',
  description: 'POST https://nas/off',
  starts_at_seconds: 0,
  timeout_seconds: 10,
  destructive: true,
  ...over,
});

describe('shutdown texts', () => {
  it('sums up the triggers that are set', () => {
    expect(triggerSummary({ on_battery_seconds: 120, runtime_below_minutes: 5, charge_below_percent: 20, low_battery: true, fsd: false, comm_lost_on_battery_seconds: null })).toBe(
      'Triggers when: on battery for 2 min or runtime below 5 min or charge below 20% or low battery',
    );
    expect(triggerSummary({ on_battery_seconds: null, runtime_below_minutes: null, charge_below_percent: null, low_battery: false, fsd: false, comm_lost_on_battery_seconds: null })).toMatch(/never starts/);
  });

  it('says per UPS when it triggers', () => {
    expect(verdictText({ ups_id: 1, name: 'ups1', failing: true, reasons: ['on battery for 45 s'], due_in_seconds: 75 })).toBe('ups1: on battery for 45 s — triggers in 1 min 15 sec');
    expect(verdictText({ ups_id: 1, name: 'ups1', failing: true, reasons: ['low battery'], due_in_seconds: 0 })).toBe('ups1: low battery — triggers now');
    expect(verdictText({ ups_id: 2, name: 'ups2', failing: false, reasons: [], due_in_seconds: null })).toBe('ups2: healthy');
    expect(verdictText({ ups_id: 2, name: 'ups2', failing: false, reasons: [], due_in_seconds: 57 })).toBe('ups2: triggers in 57 sec if nothing changes');
  });

  it('groups the timeline by phase, restore last, with start offsets', () => {
    const groups = timelineGroups([
      step({ section: 'restore', phase: 0, phase_name: '', action_id: 'r', type: 'wol', starts_at_seconds: 0 }),
      step({ phase: 1, phase_name: 'NAS', action_id: 'b', starts_at_seconds: 90 }),
      step({ action_id: 'a', starts_at_seconds: 0 }),
    ]);
    expect(groups.map((g) => [g.title, offsetText(g.startsAt)])).toEqual([
      ['Phase 1: VMs', 'T+0 sec'],
      ['Phase 2: NAS', 'T+1 min 30 sec'],
      ['Restore', 'T+0 sec'],
    ]);
  });

  it('shows offsets and phases in the chosen language', async () => {
    await i18n.changeLanguage('de');
    expect(offsetText(90)).toBe('T+1 Min. 30 Sek.');
    expect(phaseProgress(1, 3)).toBe('Phase 2 von 3');
    await i18n.changeLanguage('en');
    expect(phaseProgress(1, 3)).toBe('phase 2 of 3');
    expect(phaseProgress(3, 3)).toBe('phase 3 of 3');
  });

  it('times a step', () => {
    expect(stepDuration({ started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:00:42Z' })).toBe('42 sec');
    expect(stepDuration({ started_at: null, finished_at: null })).toBe('–');
  });

  it('builds the "what if" readings for every watched UPS (runtime in seconds)', () => {
    expect(whatIfState([3, 4], { onBattery: true, lowBattery: false, runtime: '2', charge: '', seconds: '60' })).toEqual({
      '3': { status: 'OB', runtime: 120, on_battery_seconds: 60 },
      '4': { status: 'OB', runtime: 120, on_battery_seconds: 60 },
    });
    // On mains: only the status (and the charge given) replace the live readings.
    expect(whatIfState([3], { onBattery: false, lowBattery: false, runtime: '', charge: '80', seconds: '60' })).toEqual({ '3': { status: 'OL', charge: 80 } });
  });
});

describe('shutdown_run frames', () => {
  const frame = { id: 7, plan_id: 1, plan_name: 'Rack A', state: 'running' as const, phase: 1, phases: 3, reason: 'ups1 on battery', steps: [{ id: 70, section: 'phase' as const, phase: 0, position: 0, state: 'succeeded' as const }] };
  it('keeps the banner list to active runs', () => {
    expect(mergeActive(undefined, frame).map((r) => r.id)).toEqual([7]);
    expect(mergeActive([frame], { ...frame, state: 'completed' })).toEqual([]);
  });
  it('patches a run’s state and steps in place', () => {
    const run = { id: 7, state: 'running', phase: 0, phases: 3, steps: [{ id: 70, state: 'running', output: 'x' }] } as unknown as ShutdownRun;
    const next = patchRun(run, frame)!;
    expect(next.phase).toBe(1);
    expect(next.steps![0]).toMatchObject({ state: 'succeeded', output: 'x' });
  });
});
