import { describe, expect, it } from 'vitest';
import { hasData, normalizeHistory, rangeWindow } from './history';

describe('normalizeHistory', () => {
  it('reads nested min/avg/max buckets, sorted by time, runtime seconds → minutes', () => {
    const cols = normalizeHistory({
      points: [
        { t: '2026-01-01T00:01:00Z', charge: { min: 90, avg: 95, max: 100 }, runtime: { min: 600, avg: 900, max: 1200 } },
        { t: '2026-01-01T00:00:00Z', charge: { min: 99, avg: 100, max: 100 }, runtime: null },
      ],
    });
    expect(cols.t).toEqual([Date.parse('2026-01-01T00:00:00Z') / 1000, Date.parse('2026-01-01T00:01:00Z') / 1000]);
    expect(cols.series.charge.avg).toEqual([100, 95]);
    expect(cols.series.charge.min).toEqual([99, 90]);
    expect(cols.series.runtime.avg).toEqual([null, 15]);
    expect(hasData(cols, 'charge')).toBe(true);
    expect(hasData(cols, 'load')).toBe(false);
  });
  it('reads flat *_avg columns and epoch times', () => {
    const cols = normalizeHistory([{ timestamp: 1767225600, load_avg: 20, load_min: 10, load_max: 30, input_voltage: 230 }]);
    expect(cols.t).toEqual([1767225600]);
    expect(cols.series.load).toEqual({ min: [10], avg: [20], max: [30] });
    expect(cols.series.inputVoltage.avg).toEqual([230]);
  });
  it('survives empty and odd input', () => {
    expect(normalizeHistory(null).t).toEqual([]);
    expect(normalizeHistory({ buckets: [{ nope: 1 }] }).t).toEqual([]);
  });
  it('builds windows ending now', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(rangeWindow('24h', now)).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' });
  });
});
