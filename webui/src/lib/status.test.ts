import { describe, expect, it } from 'vitest';
import { parseTokens, statusFromTokens, summarize, summaryKeys, upsStatus } from './status';

describe('statusFromTokens', () => {
  it.each([
    ['OL', 'Online', 'ok', []],
    ['OL CHRG', 'Online', 'ok', ['Charging']],
    ['OB', 'On Battery', 'warning', []],
    ['OB DISCHRG', 'On Battery', 'warning', ['Discharging']],
    // Severity, not prefix: on battery and low is Low Battery.
    ['OB LB', 'Low Battery', 'critical', []],
    ['OB LB FSD', 'Forced Shutdown', 'critical', ['Low Battery']],
    ['FSD OL', 'Forced Shutdown', 'critical', []],
    ['OL RB', 'Replace Battery', 'warning', []],
    ['OB RB', 'On Battery', 'warning', ['Replace Battery']],
    ['OL OVER', 'Overload', 'critical', []],
    ['OL BYPASS', 'Bypass', 'warning', []],
    ['OFF', 'Off', 'critical', []],
    ['OL CAL', 'Calibration', 'info', []],
    ['OL TRIM', 'Online', 'ok', ['Trimming Voltage']],
    ['OL BOOST', 'Online', 'ok', ['Boosting Voltage']],
    ['WAIT', 'Unknown', 'unknown', []],
    ['', 'Unknown', 'unknown', []],
    // An unknown token never makes a known status unknown.
    ['OL WEIRD', 'Online', 'ok', []],
    ['ol chrg', 'Online', 'ok', ['Charging']],
  ])('%j → %s (%s)', (raw, label, tone, extras) => {
    const v = statusFromTokens(raw);
    expect(v.label).toBe(label);
    expect(v.tone).toBe(tone);
    expect(v.extras).toEqual(extras);
    expect(v.icon).not.toBe('');
  });

  it('accepts token arrays and drops duplicates and blanks', () => {
    expect(parseTokens(['OB', ' LB ', '', 'OB'])).toEqual(['OB', 'LB']);
    expect(statusFromTokens(['OB', 'LB']).label).toBe('Low Battery');
    expect(statusFromTokens(null).label).toBe('Unknown');
  });
});

describe('upsStatus', () => {
  it('shows unreachable over the last known status, and keeps that status as a hint', () => {
    const v = upsStatus({ statusTokens: ['OL'], reachable: false });
    expect(v.label).toBe('Unreachable');
    expect(v.unreachable).toBe(true);
    expect(v.stale).toBe(true);
    expect(v.extras).toEqual(['Last seen: Online']);
  });
  it('marks stale data without hiding the status', () => {
    const v = upsStatus({ statusTokens: ['OB'], stale: true, reachable: true });
    expect(v.label).toBe('On Battery');
    expect(v.stale).toBe(true);
  });
  it('falls back to the seed words only by exact match', () => {
    expect(upsStatus({ status: 'Low Battery' }).label).toBe('Low Battery');
    expect(upsStatus({ status: 'On Battery' }).label).toBe('On Battery');
    expect(upsStatus({ status: 'Online maybe' }).label).toBe('Unknown');
    expect(upsStatus({ status: 'OB LB' }).label).toBe('Low Battery');
  });
});

describe('summary', () => {
  it('counts each UPS in the right boxes', () => {
    expect(summaryKeys({ statusTokens: 'OL' })).toEqual(['online']);
    expect(summaryKeys({ statusTokens: 'OB' })).toEqual(['onBattery']);
    expect(summaryKeys({ statusTokens: 'OB LB' })).toEqual(['onBattery', 'alarm']);
    expect(summaryKeys({ statusTokens: 'OL RB' })).toEqual(['online', 'alarm']);
    expect(summaryKeys({ statusTokens: 'OB', reachable: false })).toEqual(['unreachable']);
    expect(summaryKeys({ statusTokens: 'WAIT' })).toEqual([]);
    expect(
      summarize([{ statusTokens: 'OL' }, { statusTokens: 'OL CHRG' }, { statusTokens: 'OB LB' }, { statusTokens: 'OL', reachable: false }]),
    ).toEqual({ online: 2, onBattery: 1, alarm: 1, unreachable: 1 });
  });
});
