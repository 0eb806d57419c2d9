import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { healthAxisLabel, healthColumns } from '../../lib/battery';
import type { HealthPoint } from '../../lib/batteryTypes';
import { formatDate, formatPercent } from '../../lib/format';
import { UPlotChart, type ChartLine } from '../UPlotChart';

const DAY = 86400;
const noop = () => {};

/** The runtime ratio over time (100% = as new), drawn with the history charts' uPlot chart. */
export default function HealthChart({ points }: { points: readonly HealthPoint[] }) {
  const { t } = useTranslation('battery');
  const cols = useMemo(() => healthColumns(points), [points]);
  const lines: ChartLine[] = useMemo(() => [{ key: 'ratio', label: t('health.chartLine'), color: '#2f9e44', avg: cols.pct, min: cols.pct, max: cols.pct }], [cols, t]);
  if (cols.t.length < 2) return null;
  const from = cols.t[0];
  const to = Math.max(cols.t[cols.t.length - 1], from + DAY);
  const day = (s: number) => formatDate(new Date(s * 1000).toISOString().slice(0, 10));
  return (
    <UPlotChart
      title={t('health.chartTitle')}
      unit="%"
      t={cols.t}
      lines={lines}
      minMax={false}
      xRange={[from, to]}
      timeBands={[]}
      describeBand={() => ''}
      format={(v) => formatPercent(v)}
      formatTime={healthAxisLabel}
      formatWhen={day}
      formatTick={(v) => formatPercent(v)}
      percent
      syncKey="battery-health"
      onZoom={noop}
      onReset={noop}
      labels={{ latest: t('health.chartLatest'), minMax: '', chart: t('health.chartLabel') }}
      height={160}
    />
  );
}
