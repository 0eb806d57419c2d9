import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  /** Drawn faintly (the min/max envelope). */
  faint?: boolean;
}

interface Props {
  title: string;
  unit: string;
  t: number[];
  series: ChartSeries[];
  /** Pairs of series indexes (1-based, as uPlot counts) to fill between. */
  bands?: [number, number][];
  yRange?: [number, number];
  /** The requested window (Unix seconds): the x axis spans it even where no data was recorded. */
  xRange?: [number, number];
  height?: number;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** A uPlot line chart: canvas-drawn, smooth with many thousands of points. */
export function UPlotChart({ title, unit, t, series, bands, yRange, xRange, height = 180 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const xRangeRef = useRef(xRange);
  xRangeRef.current = xRange;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axisColor = cssVar('--muted', '#666');
    const grid = cssVar('--border', '#ddd');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: true, range: (_u, min, max) => (xRangeRef.current ?? [min, max]) as uPlot.Range.MinMax },
        y: yRange ? { range: yRange } : { auto: true },
      },
      axes: [
        { stroke: axisColor, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: axisColor, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: unit, size: 56 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.faint ? 1 : 2,
          alpha: s.faint ? 0.5 : 1,
          spanGaps: false,
          // Dots only where a line cannot show the data: a few buckets, or isolated ones.
          points: { show: !s.faint && s.values.filter((v) => v !== null).length < 60, size: 5 },
        })),
      ],
      bands: bands?.map(([a, b]) => ({ series: [a, b] as [number, number], fill: `${series[a - 1]?.color ?? '#888'}22` })),
    };
    const data = [t, ...series.map((s) => s.values)] as uPlot.AlignedData;
    const chart = new uPlot(opts, data, el);
    plot.current = chart;
    const ro = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Rebuild when the shape changes; data-only updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series.length, height, unit, yRange?.[0], yRange?.[1]]);

  useEffect(() => {
    plot.current?.setData([t, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [t, series, xRange?.[0], xRange?.[1]]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={host} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
