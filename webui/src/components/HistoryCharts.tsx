import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { getHistory, getHistoryCsv, getHistoryMetrics, getUpsEventsPage } from '../api/endpoints';
import { keys } from '../api/keys';
import { currentLocale } from '../i18n';
import {
  HISTORY_POINTS,
  PRESETS,
  chartGroups,
  clampZoom,
  defaultPreset,
  displayUnit,
  dispositionFilename,
  eventBands,
  formatReading,
  hasData,
  isoSeconds,
  parseView,
  rangeWindow,
  toColumns,
  toDisplay,
  withView,
  type HistoryEvent,
  type HistoryView,
  type PresetKey,
  type RangeSpec,
  type TimeBand,
  type Window,
} from '../lib/history';
import { Loading } from './Loading';
import { Notice } from './Notice';
import { UPlotChart, type ChartLine } from './UPlotChart';
import '../styles/charts.css';

interface Props {
  upsId: number;
}

const COLORS = ['#0b84c6', '#2f9e44', '#e8590c', '#9c36b5'];
const EVENT_PAGE = 500;
const EVENT_PAGES = 4; // at most 2,000 events back: outages are rare, a month holds far fewer

/** Events from now back to `from`: an outage that began earlier comes with its end (`outage.startedAt`). */
async function eventsSince(upsId: number, from: number): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let before: number | undefined;
  for (let i = 0; i < EVENT_PAGES; i++) {
    const page = await getUpsEventsPage(upsId, EVENT_PAGE, before);
    out.push(...page.events);
    const oldest = page.events[page.events.length - 1];
    if (!oldest || page.nextBefore === null || Date.parse(oldest.occurredAt) / 1000 < from) break;
    before = page.nextBefore;
  }
  return out;
}

function rangeKey(range: RangeSpec): string {
  return 'preset' in range ? range.preset : `${range.from}/${range.to}`;
}

/** `<input type="datetime-local">` value (local time) ↔ Unix seconds. */
function toLocalInput(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function fromLocalInput(value: string): number {
  return Date.parse(value) / 1000;
}

/**
 * Every metric the history keeps (from `GET /api/history/metrics`) over a range: presets, a custom
 * from/to, drag to zoom and double-click to reset, all in the URL (`?range=`, `?zoom=`), outages
 * and self-tests shaded, min/max bands where buckets hold several samples, and a CSV download of
 * what is shown.
 */
export default function HistoryCharts({ upsId }: Props) {
  const { t, i18n } = useTranslation('charts');
  const [search, setSearch] = useSearchParams();
  const view = useMemo(() => parseView(search), [search]);
  const setView = useCallback((next: HistoryView) => setSearch((prev) => withView(prev, next), { replace: true }), [setSearch]);

  const metricsQuery = useQuery({ queryKey: keys.historyMetrics, queryFn: getHistoryMetrics, staleTime: Infinity });
  // No range chosen: the smallest preset that covers the oldest sample (asked for with one bucket).
  const first = useQuery({
    queryKey: keys.history(upsId, 'first'),
    queryFn: () => {
      const now = Date.now() / 1000;
      return getHistory(upsId, isoSeconds(now - 86400), isoSeconds(now), 1);
    },
    enabled: view.range === null,
    staleTime: 300_000,
  });
  const range: RangeSpec | null = view.range ?? (first.data ? { preset: defaultPreset(first.data.firstSample) } : null);
  const live = range !== null && 'preset' in range && view.zoom === null;

  const query = useQuery({
    queryKey: keys.history(upsId, `${range ? rangeKey(range) : ''}|${view.zoom?.join('/') ?? ''}`),
    enabled: range !== null,
    queryFn: async () => {
      const whole = rangeWindow(range as RangeSpec);
      const shown = clampZoom(view.zoom, whole) ?? whole;
      const [resp, events] = await Promise.all([
        getHistory(upsId, isoSeconds(shown[0]), isoSeconds(shown[1]), HISTORY_POINTS),
        eventsSince(upsId, shown[0]),
      ]);
      return { resp, events, shown, whole };
    },
    refetchInterval: live && range && 'preset' in range ? (range.preset === '1h' ? 30_000 : range.preset === '6h' ? 60_000 : 300_000) : false,
    placeholderData: (prev) => prev,
  });

  const metrics = metricsQuery.data?.metrics;
  const data = query.data;
  const cols = useMemo(() => (data && metrics ? toColumns(data.resp, metrics) : null), [data, metrics]);
  const timeBands = useMemo(() => (data ? eventBands(data.events, data.shown) : []), [data]);
  const locale = currentLocale();

  const charts = useMemo(() => {
    if (!cols || !metrics) return [];
    return chartGroups(metrics)
      .map((g) => {
        const shown = g.metrics.filter((m) => hasData(cols, m.name));
        const unit = g.metrics[0].unit;
        const lines: ChartLine[] = shown.map((m, i) => {
          const s = cols.series[m.name];
          const conv = (vs: (number | null)[]) => vs.map((v) => toDisplay(m.unit, v));
          return {
            key: m.name,
            label: t(`metric.${m.name}`, { defaultValue: m.label }),
            color: COLORS[i % COLORS.length],
            avg: conv(s.avg),
            min: conv(s.min),
            max: conv(s.max),
          };
        });
        const shownUnit = displayUnit(unit);
        const symbol = shownUnit === 'min' ? t('unit.min') : shownUnit;
        return { chart: g.chart, title: t(`chart.${g.chart}`, { defaultValue: g.metrics[0].label }), unit: shownUnit, symbol, lines };
      })
      .filter((c) => c.lines.length > 0);
    // i18n.language: labels follow a language switch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cols, metrics, t, i18n.language]);

  const fmt = useMemo(() => {
    const hms = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
    const hm = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
    const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
    const full = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const tick = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    return {
      // Ticks as fine as the span needs: seconds within half an hour, days beyond two.
      axis: (s: number, span: number) => (span > 2 * 86400 ? day : span <= 1800 ? hms : hm).format(s * 1000),
      when: (s: number) => full.format(s * 1000),
      tick: (v: number) => tick.format(v),
    };
  }, [locale]);

  const describeBand = useCallback(
    (b: TimeBand) => {
      const what = t(`band.${b.kind}`);
      return b.open ? t('band.ongoing', { what }) : t('band.span', { what, from: fmt.when(b.from), to: fmt.when(b.to) });
    },
    [t, fmt],
  );

  const choosePreset = (key: PresetKey) => {
    setCustomOpen(false);
    setView({ range: { preset: key }, zoom: null });
  };
  const explicitRange = range ?? { preset: '1h' as PresetKey };
  const onZoom = useCallback(
    (from: number, to: number) => setView({ range: explicitRange, zoom: [Math.floor(from), Math.ceil(to)] }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [setView, rangeKey(explicitRange)],
  );
  const onReset = useCallback(() => setView({ range: view.range, zoom: null }), [setView, view.range]);

  // The custom range form.
  const [customOpen, setCustomOpen] = useState(false);
  const [customFrom, setCustomFrom] = useState('');
  const [customTo, setCustomTo] = useState('');
  const [customError, setCustomError] = useState('');
  const isCustom = range !== null && !('preset' in range);
  const openCustom = () => {
    const w = data?.whole ?? rangeWindow(explicitRange);
    setCustomFrom(toLocalInput(w[0]));
    setCustomTo(toLocalInput(w[1]));
    setCustomError('');
    setCustomOpen(true);
  };
  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    const from = fromLocalInput(customFrom);
    const to = fromLocalInput(customTo);
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      setCustomError(t('badRange'));
      return;
    }
    setCustomError('');
    setCustomOpen(false);
    setView({ range: { from, to }, zoom: null });
  };

  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const download = async (shown: Window) => {
    setDownloading(true);
    setDownloadError(null);
    try {
      const answer = await getHistoryCsv(upsId, isoSeconds(shown[0]), isoSeconds(shown[1]), HISTORY_POINTS);
      const url = URL.createObjectURL(new Blob([answer.text], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = dispositionFilename(answer.headers.get('Content-Disposition'), `powerpulse-history-${upsId}.csv`);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading(false);
    }
  };

  const activePreset = range && 'preset' in range ? range.preset : null;
  const zoomed = data !== undefined && view.zoom !== null && clampZoom(view.zoom, data.whole) !== null;
  const pending = metricsQuery.isPending || (view.range === null && first.isPending) || query.isPending;
  const error = metricsQuery.error ?? first.error ?? query.error;

  return (
    <section className="history" aria-labelledby={`history-${upsId}`}>
      <div className="history-head">
        <h3 id={`history-${upsId}`}>{t('title')}</h3>
        <div className="history-tools">
          <div role="group" aria-label={t('rangeGroup')} className="segmented">
            {PRESETS.map((p) => (
              <button key={p.key} type="button" aria-pressed={activePreset === p.key} onClick={() => choosePreset(p.key)} title={t(`presetTitle.${p.key}`)}>
                {t(`preset.${p.key}`)}
              </button>
            ))}
            <button type="button" aria-pressed={isCustom} aria-expanded={customOpen} onClick={() => (customOpen ? setCustomOpen(false) : openCustom())}>
              {t('custom')}
            </button>
          </div>
          <button type="button" className="secondary" disabled={!data || downloading} onClick={() => data && void download(data.shown)}>
            {downloading ? t('downloading') : t('download')}
          </button>
        </div>
      </div>
      {customOpen && (
        <form className="history-custom" onSubmit={applyCustom} noValidate>
          <label>
            {t('from')}
            <input type="datetime-local" name="from" value={customFrom} onChange={(e) => setCustomFrom(e.target.value)} required />
          </label>
          <label>
            {t('to')}
            <input type="datetime-local" name="to" value={customTo} onChange={(e) => setCustomTo(e.target.value)} required />
          </label>
          <button type="submit">{t('show')}</button>
          {customError && (
            <span className="field-error" role="alert">
              {customError}
            </span>
          )}
        </form>
      )}
      <div className="history-zoom">
        <span className="muted small">{t('zoomHint')}</span>
        {zoomed && (
          <button type="button" className="secondary" onClick={onReset}>
            {t('resetZoom')}
          </button>
        )}
      </div>
      {downloadError !== null && <Notice kind="error" error={downloadError} />}
      {pending && !error && <Loading label={t('loading')} />}
      {error && !cols && <Notice kind="error" error={error} />}
      {query.isError && cols && <Notice kind="warning">{t('refreshFailed')}</Notice>}
      {cols && charts.length === 0 && <p className="muted">{t('empty')}</p>}
      {timeBands.length > 0 && (
        <div className="history-key">
          {(['outage', 'selftest'] as const)
            .filter((k) => timeBands.some((b) => b.kind === k))
            .map((k) => (
              <span key={k}>
                <span className={`swatch-${k}`} aria-hidden="true" />
                {t(`band.${k}`)}
              </span>
            ))}
        </div>
      )}
      <div className="charts">
        {cols &&
          data &&
          charts.map((c) => (
            <UPlotChart
              key={c.chart}
              title={c.title}
              unit={c.symbol}
              t={cols.t}
              lines={c.lines}
              minMax={cols.bucketed}
              xRange={data.shown}
              timeBands={timeBands}
              describeBand={describeBand}
              format={(v) => formatReading(v, c.unit, locale, c.symbol)}
              formatTime={fmt.axis}
              formatWhen={fmt.when}
              formatTick={fmt.tick}
              percent={c.unit === '%'}
              syncKey={`history-${upsId}`}
              onZoom={onZoom}
              onReset={onReset}
              labels={{ latest: t('latest'), minMax: t('minMax'), chart: t('chartLabel', { title: c.title }) }}
            />
          ))}
      </div>
    </section>
  );
}
