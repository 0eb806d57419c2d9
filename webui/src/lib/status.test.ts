import { describe, expect, it } from 'vitest';
import { apiUps, cond, lastKnown, notLive } from '../test/ups';
import { statusAriaLabel, summarize, upsStatus, type UpsLike } from './status';

describe('upsStatus shows what the API says', () => {
  // Each row: the API's fields → headline, tone, chips. The UI adds no words of its own.
  it.each<[string, UpsLike, string, string, string[]]>([
    ['OL', { status: 'Online', severity: 'ok', conditions: [] }, 'Online', 'ok', []],
    [
      'OL TEST ALARM',
      { status: 'Self Test', severity: 'warning', conditions: [cond('alarm', 'Alarm', 'warning')] },
      'Self Test',
      'warning',
      ['Alarm'],
    ],
    [
      'OL RB',
      { status: 'Online', severity: 'warning', conditions: [cond('replace_battery', 'Replace Battery', 'warning')] },
      'Online',
      'warning',
      ['Replace Battery'],
    ],
    // Whatever severity the API gives is the tone, even one the old UI table disagreed with.
    ['OB OVER', { status: 'On Battery', severity: 'critical', conditions: [cond('overload', 'Overload', 'critical')] }, 'On Battery', 'critical', ['Overload']],
    ['OB OVER (warning)', { status: 'On Battery', severity: 'warning', conditions: [cond('overload', 'Overload', 'warning')] }, 'On Battery', 'warning', ['Overload']],
    ['OB CAL', { status: 'Calibration', severity: 'info', conditions: [] }, 'Calibration', 'info', []],
    [
      'OL CHRG WEIRD',
      { status: 'Online', severity: 'info', conditions: [cond('charging', 'Charging', 'ok'), cond('unknown_flag', 'Flag WEIRD', 'info')] },
      'Online',
      'info',
      ['Charging', 'Flag WEIRD'],
    ],
    ['WAIT', { status: 'Unknown', severity: 'unknown', conditions: [] }, 'Unknown', 'unknown', []],
    // A severity the UI does not know is shown as unknown, not guessed.
    ['odd severity', { status: 'Online', severity: 'purple', conditions: [] }, 'Online', 'unknown', []],
  ])('%s → headline, tone and chips from the API', (_tokens, fields, label, tone, chips) => {
    const v = upsStatus({ stale: false, reachable: true, lastUpdated: '2024-01-01T00:00:00Z', ...fields });
    expect(v.freshness).toBe('live');
    expect(v.label).toBe(label);
    expect(v.tone).toBe(tone);
    expect(v.chips.map((c) => c.label)).toEqual(chips);
    expect(v.icon).not.toBe('');
    expect(v.lastKnown).toBeNull();
  });

  it('gives each chip the tone and symbol of its own severity', () => {
    const v = upsStatus(apiUps(1, { severity: 'critical', conditions: [cond('overload', 'Overload', 'critical'), cond('charging', 'Charging', 'ok')] }));
    expect(v.chips.map((c) => [c.label, c.tone])).toEqual([
      ['Overload', 'critical'],
      ['Charging', 'ok'],
    ]);
    expect(v.chips[0].icon).not.toBe(v.chips[1].icon);
  });
});

describe('data that is not live', () => {
  it('unreachable: says so, and keeps the last known state apart with its time', () => {
    const v = upsStatus(notLive(1, { reachable: false, lastKnown: lastKnown() }));
    expect(v.freshness).toBe('unreachable');
    expect(v.label).toBe('Unreachable');
    expect(v.tone).toBe('unknown');
    expect(v.chips).toEqual([]);
    expect(v.lastKnown).toMatchObject({ label: 'On Battery', tone: 'warning', readings: { batteryCharge: 92 } });
    expect(v.lastKnown?.chips.map((c) => c.label)).toEqual(['Discharging']);
    expect(v.lastKnown?.at).toMatch(/^\d{4}-/);
  });

  it('stale (upsd answers, no fresh data): "No fresh data", never the old status as live', () => {
    const v = upsStatus(notLive(1, { reachable: true, lastKnown: lastKnown({ status: 'Online', severity: 'ok', conditions: [] }) }));
    expect(v.freshness).toBe('stale');
    expect(v.label).toBe('No fresh data');
    expect(v.label).not.toContain('Online');
    expect(v.lastKnown?.label).toBe('Online');
  });

  it('never polled (no lastKnown, no lastUpdated): waiting for first data, not stale', () => {
    const v = upsStatus(notLive(1, { reachable: null, lastUpdated: null, lastKnown: null }));
    expect(v.freshness).toBe('waiting');
    expect(v.label).toBe('Waiting for first data');
    expect(v.lastKnown).toBeNull();
  });

  it('a live UPS with an old lastKnown in the cache is live', () => {
    expect(upsStatus(apiUps(1, { lastKnown: null })).freshness).toBe('live');
  });

  it('reads well to a screen reader', () => {
    expect(statusAriaLabel('closet', upsStatus(notLive(1, { reachable: false, lastKnown: lastKnown() })))).toBe(
      'closet: Unreachable, last known On Battery',
    );
    expect(
      statusAriaLabel('rack', upsStatus(apiUps(1, { severity: 'warning', conditions: [cond('replace_battery', 'Replace Battery', 'warning')] }))),
    ).toBe('rack: Online (Replace Battery)');
  });
});

describe('summarize', () => {
  const buckets = [
    { code: 'online', label: 'Online' },
    { code: 'onBattery', label: 'On battery' },
    { code: 'alarm', label: 'Needs attention' },
    { code: 'unknown', label: 'Unknown' },
  ];

  it('counts each UPS in exactly the one bucket the API names: 4 UPS, 4 counted', () => {
    const list = [
      apiUps(1),
      apiUps(2, { severity: 'warning', conditions: [cond('replace_battery', 'Replace Battery', 'warning')], summaryBucket: 'alarm' }),
      apiUps(3, { status: 'Low Battery', severity: 'critical', summaryBucket: 'onBattery' }),
      notLive(4, { reachable: false, lastKnown: lastKnown() }),
    ];
    const counts = summarize(list, buckets);
    expect(counts.map((b) => [b.code, b.n])).toEqual([
      ['online', 1],
      ['onBattery', 1],
      ['alarm', 1],
      ['unknown', 1],
    ]);
    expect(counts.reduce((n, b) => n + b.n, 0)).toBe(4);
    // A counter's tone is its worst UPS's severity; an empty one stays "unknown".
    expect(counts.map((b) => b.tone)).toEqual(['ok', 'critical', 'warning', 'unknown']);
  });

  it('keeps the model order and counts buckets it does not know (or before it loads)', () => {
    expect(summarize([], buckets).map((b) => b.n)).toEqual([0, 0, 0, 0]);
    const early = summarize([apiUps(1), apiUps(2, { summaryBucket: 'onBattery' })]);
    expect(early.map((b) => [b.code, b.label, b.n])).toEqual([
      ['online', 'Online', 1],
      ['onBattery', 'On battery', 1],
    ]);
    // Without a bucket (an older API) a UPS still counts once, as unknown.
    const { summaryBucket: _, ...old } = apiUps(3);
    void _;
    expect(summarize([old], buckets).find((b) => b.code === 'unknown')?.n).toBe(1);
  });
});
