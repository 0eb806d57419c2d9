import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '../styles/charts.css';
import { latest, type TimeBand, type Window } from '../lib/history';

type Cell = number | null;

export interface ChartLine {
  key: string;
  label: string;
  color: string;
  /** Already in the chart's unit. */
  avg: Cell[];
  min: Cell[];
  max: Cell[];
}

interface Props {
  title: string;
  /** The unit shown on the y axis and in the legend. */
  unit: string;
  t: number[];
  lines: ChartLine[];
  /** Draw each line's min..max as a band (buckets that hold several samples). */
  minMax: boolean;
  /** The x axis spans this window (Unix seconds) even where nothing was recorded. */
  xRange: Window;
  /** Outages and self-tests, drawn as shaded spans behind the lines. */
  timeBands: TimeBand[];
  describeBand: (band: TimeBand) => string;
  format: (v: number) => string;
  /** x-axis ticks: `span` is the visible seconds. */
  formatTime: (t: number, span: number) => string;
  /** A moment in the legend: date and time. */
  formatWhen: (t: number) => string;
  formatTick: (v: number) => string;
  /** "%": the y axis spans at least 0..100. */
  percent?: boolean;
  syncKey: string;
  onZoom: (from: number, to: number) => void;
  onReset: () => void;
  labels: { latest: string; minMax: string; chart: string };
  height?: number;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * A uPlot line chart (canvas-drawn, smooth with thousands of points) with its own legend: the
 * hovered bucket's values, else each line's latest value. Dragging selects a time span (`onZoom`),
 * a double-click resets it (`onReset`); outage and self-test bands are elements under the canvas.
 */
export function UPlotChart(props: Props) {
  const { title, unit, t, lines, minMax, xRange, timeBands, height = 180 } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  // The latest props, for uPlot's callbacks (made once per chart).
  const live = useRef(props);
  live.current = props;

  const columns = (): uPlot.AlignedData =>
    [t, ...lines.flatMap((l) => (minMax ? [l.avg, l.max, l.min] : [l.avg]))] as uPlot.AlignedData;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axisColor = cssVar('--muted', '#666');
    const grid = cssVar('--border', '#ddd');
    const per = minMax ? 3 : 1;
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    lines.forEach((l, i) => {
      series.push({ label: l.label, stroke: l.color, width: 2, spanGaps: false, points: { show: (u, si) => dotsWanted(u, si) } });
      if (minMax) {
        const faint = { stroke: 'transparent', width: 0, spanGaps: false, points: { show: false } };
        series.push({ label: `${l.label} max`, ...faint }, { label: `${l.label} min`, ...faint });
        bands.push({ series: [1 + i * per + 1, 1 + i * per + 2], fill: `${l.color}33` });
      }
    });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        sync: { key: props.syncKey },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: true, range: () => [...live.current.xRange] as uPlot.Range.MinMax },
        y: {
          range: (_u, min, max) => {
            if (live.current.percent) return [Math.min(0, min ?? 0), Math.max(100, max ?? 100)];
            if (min === null || max === null) return [0, 1];
            const pad = Math.max((max - min) * 0.1, Math.abs(max) * 0.01, 0.5);
            return [min - pad, max + pad];
          },
        },
      },
      axes: [
        {
          stroke: axisColor,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          values: (u, splits) => {
            const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
            return splits.map((s) => live.current.formatTime(s, span));
          },
        },
        {
          stroke: axisColor,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          label: unit,
          size: 60,
          values: (_u, splits) => splits.map((v) => live.current.formatTick(v)),
        },
      ],
      series,
      bands,
      hooks: {
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width > 3) live.current.onZoom(u.posToVal(left, 'x'), u.posToVal(left + width, 'x'));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        draw: [(u) => placeBands(u, live.current.timeBands, live.current.describeBand)],
      },
    };
    const chart = new uPlot(opts, columns(), el);
    plot.current = chart;
    const reset = () => live.current.onReset();
    chart.over.addEventListener('dblclick', reset);
    const ro = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.over.removeEventListener('dblclick', reset);
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt when the shape changes; data-only updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines.length, minMax, height, unit]);

  useEffect(() => {
    plot.current?.setData(columns());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [t, lines, xRange[0], xRange[1]]);

  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [timeBands]);

  const idx = hover !== null && hover >= 0 && hover < t.length ? hover : null;
  const newest = lines.map((l) => latest(t, l.avg));
  const at = idx !== null ? t[idx] : Math.max(...newest.map((n) => n?.t ?? -Infinity));
  return (
    <figure className="chart" data-chart={title}>
      <figcaption>
        {title} <span className="chart-unit">({unit})</span>
      </figcaption>
      <div ref={host} role="img" aria-label={props.labels.chart} />
      <div className="chart-legend" data-testid="chart-legend">
        <span className="chart-legend-time">
          {idx !== null ? props.formatWhen(at) : Number.isFinite(at) ? `${props.labels.latest} · ${props.formatWhen(at)}` : props.labels.latest}
        </span>
        {lines.map((l, i) => {
          const v = idx !== null ? l.avg[idx] : (newest[i]?.value ?? null);
          return (
            <span key={l.key} className="chart-legend-item" data-metric={l.key}>
              <span className="chart-swatch" style={{ background: l.color }} aria-hidden="true" />
              {l.label} <strong className="chart-legend-value">{v === null ? '–' : props.format(v)}</strong>
              {idx !== null && minMax && l.min[idx] !== null && l.max[idx] !== null && l.min[idx] !== l.max[idx] && (
                <span className="muted small">
                  {' '}
                  ({props.labels.minMax} {props.format(l.min[idx] as number)} – {props.format(l.max[idx] as number)})
                </span>
              )}
            </span>
          );
        })}
      </div>
    </figure>
  );
}

/** Dots only where a line cannot show the data: a few buckets. */
function dotsWanted(u: uPlot, si: number): boolean {
  const values = u.data[si] ?? [];
  let n = 0;
  for (const v of values) if (v !== null && v !== undefined) n++;
  return n < 60;
}

/** (Re)place the band elements under the canvas, clipped to the plotting area. */
function placeBands(u: uPlot, bands: TimeBand[], describe: (b: TimeBand) => string) {
  const layer = u.under;
  layer.querySelectorAll('.chart-band').forEach((n) => n.remove());
  const width = u.bbox.width / devicePixelRatio;
  for (const b of bands) {
    const left = Math.max(0, u.valToPos(b.from, 'x'));
    const right = Math.min(width, u.valToPos(b.to, 'x'));
    if (!(right > left)) continue;
    const div = document.createElement('div');
    div.className = `chart-band chart-band-${b.kind}`;
    div.dataset.kind = b.kind;
    div.title = describe(b);
    div.style.left = `${left}px`;
    div.style.width = `${Math.max(2, right - left)}px`;
    layer.appendChild(div);
  }
}
