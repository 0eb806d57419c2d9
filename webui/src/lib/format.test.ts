import { describe, expect, it } from 'vitest';
import { chargeBand, eventDetail, eventKindLabel, flag, formatPercent, formatRuntime, formatTemperature, formatVolts, timeAgo, variableLabel, variableValue } from './format';

describe('formatRuntime (minutes in)', () => {
  it.each([
    [null, '–'],
    [undefined, '–'],
    [-1, '–'],
    [0, '0 s'],
    [0.5, '30 s'],
    [1, '1 min'],
    [59.9, '59 min'],
    [60, '1 h'],
    [125, '2 h 5 min'],
  ])('%s → %s', (v, out) => expect(formatRuntime(v as number | null)).toBe(out));
});

describe('readings', () => {
  it('shows 0 as a value and missing as a dash (the original hid 0)', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(null)).toBe('–');
    expect(formatVolts(0)).toBe('0.0 V');
    expect(formatVolts(230.4)).toBe('230 V');
    expect(formatVolts(27.34)).toBe('27.3 V');
    expect(formatTemperature(0)).toBe('0.0 °C');
  });
  it('bands the charge bar', () => {
    expect(chargeBand(100)).toBe('high');
    expect(chargeBand(75)).toBe('high');
    expect(chargeBand(50)).toBe('mid');
    expect(chargeBand(25)).toBe('low');
    expect(chargeBand(24)).toBe('critical');
    expect(chargeBand(null)).toBe('none');
  });
  it('reads flags as sent by any API version', () => {
    expect([true, 1, '1', 'true'].map(flag)).toEqual([true, true, true, true]);
    expect([false, 0, '0', null, undefined, 'false'].map(flag)).toEqual([false, false, false, false, false, false]);
  });
  it('names events in words', () => {
    expect(eventKindLabel('on_battery')).toBe('Power failure');
    expect(eventKindLabel('comm_lost')).toBe('Lost contact');
    expect(eventKindLabel('new_kind')).toBe('new kind');
    expect(eventKindLabel('self_test')).toBe('Self-test');
    expect(eventDetail('self_test', { phase: 'ended', result: 'Done and passed' })).toBe('ended, result: Done and passed');
    expect(eventDetail('self_test', { phase: 'started' })).toBe('started');
    expect(eventDetail('on_battery', { phase: 'x' })).toBe('');
  });
  it('labels variables', () => {
    expect(variableLabel('voltage.nominal')).toBe('Voltage nominal');
    expect(variableLabel('chargeLow')).toBe('Charge low');
    expect(variableLabel('mfrDate')).toBe('Mfr date');
    expect(variableValue(0)).toBe('0');
    expect(variableValue(null)).toBe('–');
    expect(variableValue({ pollinterval: '1', synchronous: 'auto' })).toBe('pollinterval=1, synchronous=auto');
  });
});

describe('timeAgo', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it.each([
    [null, 'never'],
    ['garbage', 'unknown'],
    ['2026-01-01T12:00:00Z', 'just now'],
    ['2026-01-01T11:59:30Z', '30 s ago'],
    ['2026-01-01T11:55:00Z', '5 min ago'],
    ['2026-01-01T09:00:00Z', '3 h ago'],
    ['2025-12-28T12:00:00Z', '4 days ago'],
  ])('%s → %s', (iso, out) => expect(timeAgo(iso, now)).toBe(out));
});
