import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import {
  chargeBand,
  eventDetail,
  eventKindLabel,
  flag,
  formatDate,
  formatDateTime,
  formatDuration,
  formatFlag,
  formatNumber,
  formatPercent,
  formatRuntime,
  formatTemperature,
  formatVariable,
  formatVolts,
  formatWithUnit,
  outageText,
  timeAgo,
  variableLabel,
  variableValue,
} from './format';
import type { NutVariable } from '../types';

// Intl puts no-break spaces (U+00A0, U+202F) between number and unit in some locales: compare with plain ones.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

beforeAll(() => i18n.changeLanguage('en'));
afterAll(() => i18n.changeLanguage('en'));

describe('formatRuntime (minutes in)', () => {
  it.each([
    [null, '–'],
    [undefined, '–'],
    [-1, '–'],
    [0, '0 sec'],
    [0.5, '30 sec'],
    [1, '1 min'],
    [59.9, '59 min'],
    [60, '1 hr'],
    [125, '2 hr 5 min'],
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
    ['garbage', 'Unknown'],
    ['2026-01-01T12:00:00Z', 'just now'],
    ['2026-01-01T11:59:30Z', '30 sec ago'],
    ['2026-01-01T11:55:00Z', '5 min ago'],
    ['2026-01-01T09:00:00Z', '3 hr ago'],
    ['2025-12-28T12:00:00Z', '4 days ago'],
  ])('%s → %s', (iso, out) => expect(timeAgo(iso, now)).toBe(out));
});

function nutVar(over: Partial<NutVariable>): NutVariable {
  return { name: 'x', value: '', kind: 'text', unit: '', number: null, date: null, flag: null, description: null, ...over };
}

describe('durations (seconds)', () => {
  it.each([
    [440, '7 min 20 sec'],
    [420, '7 min'],
    [59, '59 sec'],
    [0, '0 sec'],
    [3600, '1 hr'],
    [3660, '1 hr 1 min'],
    [90061, '1 day 1 hr'],
    [-1, '–'],
    [Number.NaN, '–'],
    [null, '–'],
  ])('%s → %s', (v, out) => expect(plain(formatDuration(v as number | null))).toBe(out));
});

describe('NUT variables by kind (English)', () => {
  it('formats each kind with its unit, the raw value when nothing was read', () => {
    expect(formatVariable(nutVar({ kind: 'duration', unit: 's', value: '440', number: 440 }))).toBe('7 min 20 sec');
    expect(formatVariable(nutVar({ kind: 'voltage', unit: 'V', value: '230.1', number: 230.1 }))).toBe('230.1 V');
    expect(formatVariable(nutVar({ kind: 'current', unit: 'A', value: '1.25', number: 1.25 }))).toBe('1.25 A');
    expect(formatVariable(nutVar({ kind: 'frequency', unit: 'Hz', value: '50', number: 50 }))).toBe('50 Hz');
    expect(formatVariable(nutVar({ kind: 'power_w', unit: 'W', value: '1200', number: 1200 }))).toBe('1,200 W');
    expect(formatVariable(nutVar({ kind: 'power_va', unit: 'VA', value: '1500', number: 1500 }))).toBe('1,500 VA');
    expect(formatVariable(nutVar({ kind: 'temperature', unit: '°C', value: '25.5', number: 25.5 }))).toBe('25.5 °C');
    expect(formatVariable(nutVar({ kind: 'percent', unit: '%', value: '61', number: 61 }))).toBe('61%');
    expect(formatVariable(nutVar({ kind: 'date', value: '05/14/19', date: '2019-05-14' }))).toBe('May 14, 2019');
    expect(formatVariable(nutVar({ kind: 'boolean', value: 'enabled', flag: 'enabled' }))).toBe('Enabled');
    expect(formatVariable(nutVar({ kind: 'boolean', value: 'no', flag: 'no' }))).toBe('No');
    // Nothing read (garbage, an absurd number): the raw value, never a made-up one.
    expect(formatVariable(nutVar({ kind: 'date', value: 'garbage' }))).toBe('garbage');
    expect(formatVariable(nutVar({ kind: 'voltage', unit: 'V', value: '4.6e251' }))).toBe('4.6e251');
    expect(formatVariable(nutVar({ kind: 'boolean', value: 'muted' }))).toBe('muted');
    expect(formatVariable(nutVar({ kind: 'text', value: 'Smart-UPS' }))).toBe('Smart-UPS');
    expect(formatVariable(nutVar({ kind: 'text', value: '' }))).toBe('–');
  });
  it('keeps missing values as a dash', () => {
    expect(formatWithUnit(null, 'V')).toBe('–');
    expect(formatWithUnit(Number.POSITIVE_INFINITY, 'V')).toBe('–');
    expect(formatDate('')).toBe('–');
    expect(formatDate('not-a-day')).toBe('not-a-day');
    expect(formatFlag(null)).toBe('–');
  });
  it('says how long a power failure lasted', () => {
    expect(plain(outageText({ durationSeconds: 192, lowestCharge: 61, startedAt: '2026-01-01T12:00:00.000Z' }))).toBe(
      'On battery for 3 min 12 sec, lowest charge 61%',
    );
    expect(outageText({ durationSeconds: 40, lowestCharge: null, startedAt: '2026-01-01T12:00:00.000Z' })).toBe('On battery for 40 sec');
    expect(outageText(null)).toBe('');
    expect(outageText(undefined)).toBe('');
  });
});

describe('in German', () => {
  beforeAll(() => i18n.changeLanguage('de'));
  afterAll(() => i18n.changeLanguage('en'));
  it('uses the decimal comma, German units and words', () => {
    expect(formatNumber(230.1)).toBe('230,1');
    expect(formatVolts(27.34)).toBe('27,3 V');
    expect(formatTemperature(25.5)).toBe('25,5 °C');
    expect(plain(formatPercent(61))).toBe('61 %');
    expect(plain(formatDuration(440))).toBe('7 Min. 20 Sek.');
    expect(formatVariable(nutVar({ kind: 'voltage', unit: 'V', value: '230.1', number: 230.1 }))).toBe('230,1 V');
    expect(formatVariable(nutVar({ kind: 'power_w', unit: 'W', value: '1200', number: 1200 }))).toBe('1.200 W');
    expect(formatDate('2019-05-14')).toBe('14.05.2019');
    expect(formatFlag('enabled')).toBe(i18n.t('common:state.enabled'));
    expect(formatFlag('yes')).not.toBe('Yes');
    expect(plain(outageText({ durationSeconds: 192, lowestCharge: 61, startedAt: '2026-01-01T12:00:00.000Z' }))).toBe(
      'Im Batteriebetrieb für 3 Min. 12 Sek., niedrigste Ladung 61 %',
    );
    expect(eventKindLabel('on_battery')).toBe('Stromausfall');
    expect(timeAgo('2026-01-01T11:55:00Z', Date.parse('2026-01-01T12:00:00Z'))).toMatch(/^vor 5 Min\./);
    expect(formatDateTime('2026-01-01T12:00:00Z')).toMatch(/1\.2026|2026/);
  });
});

describe('in French', () => {
  beforeAll(() => i18n.changeLanguage('fr'));
  afterAll(() => i18n.changeLanguage('en'));
  it('uses the decimal comma, French units and words', () => {
    expect(formatVolts(27.34)).toBe('27,3 V');
    expect(plain(formatNumber(1234.5))).toBe('1 234,5');
    expect(plain(formatPercent(61))).toBe('61 %');
    expect(plain(formatDuration(440))).toBe('7 min 20 s');
    expect(plain(formatDuration(3660))).toBe('1 h 1 min');
    expect(formatDate('2019-05-14')).toBe('14 mai 2019');
    expect(formatVariable(nutVar({ kind: 'current', unit: 'A', value: '1.25', number: 1.25 }))).toBe('1,25 A');
    expect(plain(outageText({ durationSeconds: 192, lowestCharge: 61, startedAt: '2026-01-01T12:00:00.000Z' }))).toBe(
      'Sur batterie pendant 3 min 12 s, charge minimale 61 %',
    );
    expect(eventKindLabel('online')).toBe('Courant rétabli');
  });
});
