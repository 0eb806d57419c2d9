import { describe, expect, it } from 'vitest';
import {
  chartGroups,
  clampZoom,
  defaultPreset,
  dispositionFilename,
  eventBands,
  formatReading,
  latest,
  parseView,
  rangeWindow,
  toColumns,
  withView,
  type HistoryEvent,
  type HistoryResponse,
} from './history';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const S = (iso: string) => Date.parse(iso) / 1000;
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('defaultPreset', () => {
  it('is the last hour before any sample', () => {
    expect(defaultPreset(null, NOW)).toBe('1h');
    expect(defaultPreset(undefined, NOW)).toBe('1h');
    expect(defaultPreset('not a time', NOW)).toBe('1h');
  });
  it('is the smallest preset covering the oldest sample', () => {
    expect(defaultPreset(ago(20 * 60), NOW)).toBe('1h');
    expect(defaultPreset(ago(3600), NOW)).toBe('1h');
    expect(defaultPreset(ago(3601), NOW)).toBe('6h');
    expect(defaultPreset(ago(5 * 3600), NOW)).toBe('6h');
    expect(defaultPreset(ago(7 * 3600), NOW)).toBe('24h');
  });
  it('grows no further than 24 h', () => {
    expect(defaultPreset(ago(3 * 86400), NOW)).toBe('24h');
    expect(defaultPreset(ago(400 * 86400), NOW)).toBe('24h');
  });
});

describe('the view in the URL', () => {
  it('round-trips a preset, a custom range and a zoom, keeping other parameters', () => {
    const base = new URLSearchParams('site=berlin');
    const preset = withView(base, { range: { preset: '7d' }, zoom: [S('2026-05-30T00:00:00Z'), S('2026-05-30T06:00:00Z')] });
    expect(preset.get('site')).toBe('berlin');
    expect(preset.get('range')).toBe('7d');
    expect(preset.get('zoom')).toBe('2026-05-30T00:00:00Z/2026-05-30T06:00:00Z');
    expect(parseView(preset)).toEqual({ range: { preset: '7d' }, zoom: [S('2026-05-30T00:00:00Z'), S('2026-05-30T06:00:00Z')] });

    const custom = withView(preset, { range: { from: S('2026-05-01T00:00:00Z'), to: S('2026-05-02T12:30:00Z') }, zoom: null });
    expect(custom.toString()).toBe('site=berlin&range=2026-05-01T00%3A00%3A00Z%2F2026-05-02T12%3A30%3A00Z');
    expect(parseView(custom)).toEqual({ range: { from: S('2026-05-01T00:00:00Z'), to: S('2026-05-02T12:30:00Z') }, zoom: null });
    expect(withView(custom, { range: null, zoom: null }).toString()).toBe('site=berlin');
  });
  it('ignores junk: unknown presets, reversed or broken intervals', () => {
    for (const q of ['range=2y', 'range=2026-05-02T00:00:00Z/2026-05-01T00:00:00Z', 'range=yesterday/today', 'range=a/b/c', 'zoom=5']) {
      expect(parseView(new URLSearchParams(q))).toEqual({ range: null, zoom: null });
    }
  });
  it('turns a preset into a window ending now and keeps a zoom only inside the range', () => {
    const w = rangeWindow({ preset: '6h' }, NOW);
    expect(w).toEqual([NOW / 1000 - 6 * 3600, NOW / 1000]);
    expect(rangeWindow({ from: 10, to: 20 }, NOW)).toEqual([10, 20]);
    expect(clampZoom([w[0] - 100, w[0] + 600], w)).toEqual([w[0], w[0] + 600]);
    expect(clampZoom([w[0] - 1000, w[0] - 10], w)).toBeNull(); // the window moved past it
    expect(clampZoom(null, w)).toBeNull();
  });
});

const METRICS = [{ name: 'charge' }, { name: 'inputVoltage' }];
function response(points: { time: string; charge?: number | null; volts?: number }[], bucketSeconds = 60, sampleSeconds = 60): HistoryResponse {
  const stat = (v: number | null | undefined) => ({ min: v ?? null, avg: v ?? null, max: v ?? null });
  return {
    upsId: 1,
    from: '2026-06-01T00:00:00.000Z',
    to: '2026-06-01T01:00:00.000Z',
    bucketSeconds,
    sampleSeconds,
    source: 'samples',
    firstSample: null,
    points: points.map((p) => ({ time: p.time, samples: 1, charge: stat(p.charge), inputVoltage: stat(p.volts) })),
  } as unknown as HistoryResponse;
}

describe('toColumns', () => {
  it('keeps a stretch without samples as a gap (a null row), never a line or a zero', () => {
    const cols = toColumns(
      response([
        { time: '2026-06-01T00:02:00Z', charge: 98 },
        { time: '2026-06-01T00:00:00Z', charge: 100 },
        { time: '2026-06-01T00:01:00Z', charge: 99 },
        // nothing for 20 minutes: the poller was down
        { time: '2026-06-01T00:22:00Z', charge: 90 },
      ]),
      METRICS,
    );
    expect(cols.t).toEqual([S('2026-06-01T00:00:00Z'), S('2026-06-01T00:01:00Z'), S('2026-06-01T00:02:00Z'), S('2026-06-01T00:03:00Z'), S('2026-06-01T00:22:00Z')]);
    expect(cols.series.charge.avg).toEqual([100, 99, 98, null, 90]);
    expect(cols.series.inputVoltage.avg).toEqual([null, null, null, null, null]);
    expect(cols.bucketed).toBe(false);
  });
  it('measures gaps by the sample interval when buckets are narrower than it', () => {
    // 1 h in 600 buckets: 6 s buckets, one sample a minute: a minute apart is no gap.
    const cols = toColumns(
      response(
        [
          { time: '2026-06-01T00:00:00Z', charge: 100 },
          { time: '2026-06-01T00:01:00Z', charge: 100 },
          { time: '2026-06-01T00:05:00Z', charge: 100 },
        ],
        6,
        60,
      ),
      METRICS,
    );
    expect(cols.series.charge.avg).toEqual([100, 100, null, 100]);
  });
  it('knows when buckets hold several samples (min/max bands then mean something)', () => {
    expect(toColumns(response([], 3600, 60), METRICS).bucketed).toBe(true);
    expect(toColumns(response([], 6, 60), METRICS).bucketed).toBe(false);
  });
  it('reads the latest value and groups metrics into charts in API order', () => {
    expect(latest([1, 2, 3], [5, 6, null])).toEqual({ t: 2, value: 6 });
    expect(latest([1], [null])).toBeNull();
    const groups = chartGroups([
      { name: 'charge', chart: 'charge' },
      { name: 'inputVoltage', chart: 'voltage' },
      { name: 'load', chart: 'load' },
      { name: 'outputVoltage', chart: 'voltage' },
    ]);
    expect(groups.map((g) => [g.chart, g.metrics.map((m) => m.name)])).toEqual([
      ['charge', ['charge']],
      ['voltage', ['inputVoltage', 'outputVoltage']],
      ['load', ['load']],
    ]);
  });
});

let nextId = 1;
function ev(kind: string, iso: string, details: Record<string, unknown> = {}, outageStart?: string): HistoryEvent {
  return { id: nextId++, kind, occurredAt: iso, details, outage: outageStart ? { startedAt: outageStart } : null };
}
const DAY: [number, number] = [S('2026-06-01T00:00:00Z'), S('2026-06-02T00:00:00Z')];

describe('eventBands', () => {
  it('pairs on battery with back on mains, newest-first input or not', () => {
    const events = [
      ev('online', '2026-06-01T10:05:00Z'),
      ev('low_battery', '2026-06-01T10:04:00Z'),
      ev('on_battery', '2026-06-01T10:00:00Z'),
      ev('online', '2026-06-01T03:01:00Z'),
      ev('on_battery', '2026-06-01T03:00:00Z'),
    ];
    expect(eventBands(events, DAY)).toEqual([
      { kind: 'outage', from: S('2026-06-01T03:00:00Z'), to: S('2026-06-01T03:01:00Z'), open: false },
      { kind: 'outage', from: S('2026-06-01T10:00:00Z'), to: S('2026-06-01T10:05:00Z'), open: false },
    ]);
  });
  it('clips to the window: an outage that began before it, one still going on', () => {
    const events = [ev('on_battery', '2026-05-31T23:00:00Z'), ev('online', '2026-06-01T01:00:00Z'), ev('on_battery', '2026-06-01T23:00:00Z')];
    expect(eventBands(events, DAY)).toEqual([
      { kind: 'outage', from: DAY[0], to: S('2026-06-01T01:00:00Z'), open: false },
      { kind: 'outage', from: S('2026-06-01T23:00:00Z'), to: DAY[1], open: true },
    ]);
  });
  it('takes the start the API paired with the end, even one older than every event fetched', () => {
    // Only the end was fetched (paging stopped at the window); the API knows when it began.
    expect(eventBands([ev('online', '2026-06-01T02:00:00Z', {}, '2026-05-31T20:00:00Z')], DAY)).toEqual([
      { kind: 'outage', from: DAY[0], to: S('2026-06-01T02:00:00Z'), open: false },
    ]);
    expect(eventBands([ev('on_battery', '2026-06-01T01:00:00Z'), ev('online', '2026-06-01T02:00:00Z', {}, '2026-06-01T00:59:58Z')], DAY)).toEqual([
      { kind: 'outage', from: S('2026-06-01T00:59:58Z'), to: S('2026-06-01T02:00:00Z'), open: false },
    ]);
    // Back on mains with no outage the API knows of (the UPS was first seen on battery): no band.
    expect(eventBands([ev('online', '2026-06-01T02:00:00Z')], DAY)).toEqual([]);
  });
  it('leaves out bands outside the window and a repeated on battery', () => {
    const events = [ev('on_battery', '2026-05-30T10:00:00Z'), ev('on_battery', '2026-05-30T10:01:00Z'), ev('online', '2026-05-30T11:00:00Z')];
    expect(eventBands(events, DAY)).toEqual([]);
  });
  it('draws self-tests from started to ended, or from the recorded duration', () => {
    const events = [
      ev('self_test', '2026-06-01T05:00:00Z', { phase: 'started' }),
      ev('self_test', '2026-06-01T05:00:30Z', { phase: 'ended', durationSeconds: 30 }),
      ev('self_test', '2026-06-01T07:02:00Z', { phase: 'ended', durationSeconds: 120 }),
    ];
    expect(eventBands(events, DAY)).toEqual([
      { kind: 'selftest', from: S('2026-06-01T05:00:00Z'), to: S('2026-06-01T05:00:30Z'), open: false },
      { kind: 'selftest', from: S('2026-06-01T07:00:00Z'), to: S('2026-06-01T07:02:00Z'), open: false },
    ]);
  });
});

describe('formatting and the download', () => {
  it('formats readings in the chosen locale with their unit', () => {
    expect(formatReading(230.06, 'V', 'en')).toBe('230.1 V');
    expect(formatReading(230.06, 'V', 'de')).toBe('230,1 V');
    expect(formatReading(49.98, 'Hz', 'fr')).toBe('49,98 Hz');
    expect(formatReading(95, '%', 'en')).toBe('95%');
    expect(formatReading(null, 'V', 'en')).toBe('–');
  });
  it('takes the file name from Content-Disposition', () => {
    expect(dispositionFilename('attachment; filename="powerpulse-ups1-a-b.csv"', 'x.csv')).toBe('powerpulse-ups1-a-b.csv');
    expect(dispositionFilename(null, 'x.csv')).toBe('x.csv');
  });
});
