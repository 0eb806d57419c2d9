import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { getHistory } from '../api/endpoints';
import { keys } from '../api/keys';
import { HISTORY_POINTS, RANGES, hasData, normalizeHistory, rangeWindow, type RangeKey } from '../lib/history';
import { Loading } from './Loading';
import { Notice } from './Notice';
import { UPlotChart, type ChartSeries } from './UPlotChart';

interface Props {
  upsId: number;
}

const COLORS = { avg: '#0b84c6', min: '#7aa6c2', max: '#7aa6c2', in: '#0b84c6', out: '#2f9e44', batt: '#e8590c' };

/** Charge, load, runtime and voltages over a chosen range; min/max shown as a band around the mean. */
export default function HistoryCharts({ upsId }: Props) {
  const [range, setRange] = useState<RangeKey>('24h');
  const query = useQuery({
    queryKey: keys.history(upsId, range),
    queryFn: async () => {
      const w = rangeWindow(range);
      const cols = normalizeHistory(await getHistory(upsId, w.from, w.to, HISTORY_POINTS));
      return { cols, x: [Date.parse(w.from) / 1000, Date.parse(w.to) / 1000] as [number, number] };
    },
    refetchInterval: range === '1h' ? 30_000 : 300_000,
    placeholderData: (prev) => prev,
  });
  const cols = query.data?.cols;
  const xRange = query.data?.x;

  const charts = useMemo(() => {
    if (!cols) return [];
    const band = (m: 'charge' | 'load' | 'runtime', label: string): ChartSeries[] => [
      { label: `${label} max`, color: COLORS.max, values: cols.series[m].max, faint: true },
      { label, color: COLORS.avg, values: cols.series[m].avg },
      { label: `${label} min`, color: COLORS.min, values: cols.series[m].min, faint: true },
    ];
    const out: { key: string; title: string; unit: string; series: ChartSeries[]; bands?: [number, number][]; yRange?: [number, number] }[] = [];
    if (hasData(cols, 'charge')) out.push({ key: 'charge', title: 'Battery charge', unit: '%', series: band('charge', 'Charge'), bands: [[1, 3]], yRange: [0, 100] });
    if (hasData(cols, 'load')) out.push({ key: 'load', title: 'Load', unit: '%', series: band('load', 'Load'), bands: [[1, 3]] });
    if (hasData(cols, 'runtime')) out.push({ key: 'runtime', title: 'Runtime remaining', unit: 'min', series: band('runtime', 'Runtime'), bands: [[1, 3]] });
    const volts: ChartSeries[] = [];
    if (hasData(cols, 'inputVoltage')) volts.push({ label: 'Input', color: COLORS.in, values: cols.series.inputVoltage.avg });
    if (hasData(cols, 'outputVoltage')) volts.push({ label: 'Output', color: COLORS.out, values: cols.series.outputVoltage.avg });
    if (hasData(cols, 'batteryVoltage')) volts.push({ label: 'Battery', color: COLORS.batt, values: cols.series.batteryVoltage.avg });
    if (volts.length) out.push({ key: 'volts', title: 'Voltages', unit: 'V', series: volts });
    return out;
  }, [cols]);

  return (
    <section className="history" aria-labelledby={`history-${upsId}`}>
      <div className="history-head">
        <h3 id={`history-${upsId}`}>History</h3>
        <div role="group" aria-label="History range" className="segmented">
          {RANGES.map((r) => (
            <button key={r.key} type="button" aria-pressed={range === r.key} onClick={() => setRange(r.key)} title={r.label}>
              {r.key}
            </button>
          ))}
        </div>
      </div>
      {query.isPending && <Loading label="Loading history…" />}
      {query.isError && !cols && <Notice kind="error" error={query.error} />}
      {query.isError && cols && <Notice kind="warning">History could not be refreshed; showing the last loaded data.</Notice>}
      {cols && charts.length === 0 && <p className="muted">No history recorded in this range yet.</p>}
      <div className="charts">
        {cols &&
          charts.map((c) => (
            <UPlotChart key={c.key} title={c.title} unit={c.unit} t={cols.t} series={c.series} bands={c.bands} yRange={c.yRange} xRange={xRange} />
          ))}
      </div>
    </section>
  );
}
