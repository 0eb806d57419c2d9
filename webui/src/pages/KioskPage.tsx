import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listKiosk } from '../api/endpoints';
import { keys } from '../api/keys';
import { currentLocale, i18n as i18next } from '../i18n';
import { useLiveState, useLiveUpdates } from '../hooks/useLiveUpdates';
import { kioskPollIntervalMs } from '../hooks/usePollInterval';
import { useTheme } from '../hooks/useTheme';
import { buildKioskUrl, parseKioskParams, selectKioskUps } from '../lib/kioskParams';
import { kioskGrid, MIN_TILE_FONT } from '../lib/kioskLayout';
import { useStatusModel } from '../hooks/useStatusModel';
import { summarize } from '../lib/status';
import { filterByGroup } from '../lib/groups';
import { KioskClock } from '../components/KioskClock';
import { KioskSingle } from '../components/KioskSingle';
import { KioskTile } from '../components/KioskTile';
import '../styles/kiosk.css';

const RETRY_MS = 5_000;
const GRID_GAP = 16;

/**
 * The room the grid has: the main area's width, and the screen's height below its top. Not the
 * main area's own height: that grows with its tiles, and bigger tiles would then ask for a
 * bigger area without end.
 */
function useGridArea<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const css = getComputedStyle(el);
      const padX = parseFloat(css.paddingLeft) + parseFloat(css.paddingRight);
      const padBottom = parseFloat(css.paddingBottom);
      const top = el.getBoundingClientRect().top + window.scrollY + parseFloat(css.paddingTop);
      const below = el.nextElementSibling?.getBoundingClientRect().height ?? 0; // the dots
      const width = el.clientWidth - padX;
      const height = window.innerHeight - top - padBottom - below;
      setSize((s) => (s && Math.abs(s.width - width) < 1 && Math.abs(s.height - height) < 1 ? s : { width, height }));
    };
    measure();
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    ro?.observe(el);
    // The bar above (it wraps, the stale banner comes and goes) moves the grid's top.
    if (el.parentElement) ro?.observe(el.parentElement.firstElementChild ?? el);
    window.addEventListener('resize', measure);
    return () => {
      ro?.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, []);
  return [ref, size] as const;
}

/**
 * Whether the service worker answered the kiosk's last request from its cache (the network
 * failed): the data is then as old as that copy, whatever the request's success says.
 */
function useServedFromCache(): { fromCache: boolean; at: number | null } {
  const [state, setState] = useState<{ fromCache: boolean; at: number | null }>({ fromCache: false, at: null });
  useEffect(() => {
    const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    if (!sw) return;
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { type?: string; fromCache?: unknown; at?: unknown } | null;
      if (d?.type !== 'powerpulse:kiosk-data') return;
      setState({ fromCache: d.fromCache === true, at: typeof d.at === 'number' ? d.at : null });
    };
    sw.addEventListener('message', onMessage);
    sw.startMessages();
    return () => sw.removeEventListener('message', onMessage);
  }, []);
  return state;
}

/**
 * The public wall display. A failed refresh never replaces the screen with an error: the last
 * data stays, a banner says it is stale, and polling plus the stream's reconnect recover by
 * themselves.
 */
export default function KioskPage() {
  const { t } = useTranslation('kiosk');
  const location = useLocation();
  const navigate = useNavigate();
  const params = useMemo(() => parseKioskParams(location.search), [location.search]);
  const { theme } = useTheme(params.theme);
  useLiveUpdates('kiosk');
  const live = useLiveState();
  const pollMs = kioskPollIntervalMs();
  const query = useQuery({
    queryKey: keys.kiosk,
    queryFn: listKiosk,
    // Without the stream (or while the api is unreachable) look every few seconds: the wall says
    // "Connection lost" within RETRY_MS of an outage, and recovers as quickly.
    refetchInterval: (q) => (q.state.status === 'error' ? RETRY_MS : live === 'live' ? 60_000 : Math.min(pollMs, RETRY_MS)),
    refetchIntervalInBackground: true,
    retry: 0,
    // Offline, still ask: the service worker answers with the last data it kept.
    networkMode: 'always',
  });
  const cache = useServedFromCache();
  // Filtered here, not by the API: the stream patches the one kiosk list every kiosk shares.
  const shown = useMemo(() => selectKioskUps(filterByGroup(query.data ?? [], params.filter), params.ups), [query.data, params.ups, params.filter]);
  const [index, setIndex] = useState(0);
  const [mainRef, mainSize] = useGridArea<HTMLElement>();

  // lang= wins for this page only; leaving the kiosk restores the language it found.
  // The i18n singleton: useTranslation's i18n is not a stable dependency (it looped).
  useLayoutEffect(() => {
    if (!params.lang || params.lang === i18next.language) return;
    const before = i18next.language;
    void i18next.changeLanguage(params.lang);
    return () => void i18next.changeLanguage(before);
  }, [params.lang]);
  useEffect(() => {
    document.title = params.title ? `${params.title} · ${t('documentTitle')}` : t('documentTitle');
  }, [params.title, t]);
  // The stream dropping is the first sign the api is gone: ask now rather than at the next poll.
  const wasLive = useRef(live === 'live');
  const { refetch } = query;
  useEffect(() => {
    if (wasLive.current && live !== 'live') void refetch();
    wasLive.current = live === 'live';
  }, [live, refetch]);
  useEffect(() => {
    if (params.multi || shown.length < 2) return;
    const id = setInterval(() => setIndex((i) => (i + 1) % shown.length), params.rotateSeconds * 1000);
    return () => clearInterval(id);
  }, [params.multi, params.rotateSeconds, shown.length]);

  const setMulti = (multi: boolean) => navigate(buildKioskUrl({ ...params, multi }), { replace: true });
  const current = shown.length ? shown[index % shown.length] : undefined;
  const model = useStatusModel();
  const counts = summarize(shown, model.data?.buckets);
  // A live stream also brings fresh data (snapshot on connect), whatever the worker said last.
  const stale = !!query.data && (query.isError || (cache.fromCache && live !== 'live'));
  const dataAt = cache.fromCache && cache.at ? cache.at : query.dataUpdatedAt;
  const dataTime = dataAt ? new Intl.DateTimeFormat(currentLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(dataAt) : '';
  const grid = mainSize ? kioskGrid(shown.length, mainSize.width, mainSize.height, GRID_GAP) : null;
  // The layout's tile size is an estimate: a long name or label wraps and makes a tile taller.
  // If the tiles then overflow a screen they were meant to fit, shrink them by the excess (once
  // per count, size and language; a phone that scrolls anyway keeps its readable size).
  const fitKey = grid && mainSize ? `${shown.length}:${Math.round(mainSize.width)}x${Math.round(mainSize.height)}:${i18next.language}` : '';
  const [fit, setFit] = useState<{ key: string; factor: number }>({ key: '', factor: 1 });
  const factor = fit.key === fitKey ? fit.factor : 1;
  const tileFont = grid ? Math.max(MIN_TILE_FONT, Math.round(grid.fontPx * factor * 10) / 10) : 0;
  const gridRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = gridRef.current;
    if (!el || !mainSize || !grid || grid.scrolls || tileFont <= MIN_TILE_FONT) return;
    const over = el.getBoundingClientRect().height / mainSize.height;
    if (over > 1.002 && factor > 0.6) setFit({ key: fitKey, factor: factor / over - 0.01 });
  });
  const gridStyle = grid
    ? ({ gridTemplateColumns: `repeat(${grid.columns}, minmax(0, 1fr))`, '--kiosk-tile-fs': `${tileFont}px` } as CSSProperties)
    : undefined;

  return (
    <div className={`kiosk theme-${theme}`} data-testid="kiosk" data-mode={params.multi ? 'multi' : 'single'}>
      <header className="kiosk-bar">
        <span className="kiosk-brand">
          <span aria-hidden="true">⚡</span> {t('brand')}
        </span>
        {params.title && (
          <h1 className="kiosk-title" data-testid="kiosk-title">
            {params.title}
          </h1>
        )}
        <span className="kiosk-counts" aria-label={t('summary')}>
          {counts.map((b) => `${b.n} ${b.label.toLowerCase()}`).join(' · ')}
        </span>
        <KioskClock />
        <button type="button" className="kiosk-toggle" onClick={() => setMulti(!params.multi)} aria-label={params.multi ? t('toSingleLabel') : t('toGridLabel')}>
          {params.multi ? `▣ ${t('toSingle')}` : `▦ ${t('toGrid')}`}
        </button>
      </header>
      {stale && (
        <div className="kiosk-stale" role="status" data-testid="kiosk-stale">
          <span aria-hidden="true">⚠</span> {t('connectionLost', { time: dataTime })}
        </div>
      )}
      <main ref={mainRef} className={`kiosk-main ${stale ? 'is-stale' : ''}`}>
        {query.isPending && <p className="kiosk-message">{t('loading')}</p>}
        {query.isError && !query.data && (
          <p className="kiosk-message" data-testid="kiosk-waiting">
            <span aria-hidden="true">⚠</span> {t('waiting', { seconds: RETRY_MS / 1000 })}
          </p>
        )}
        {query.data && shown.length === 0 && <p className="kiosk-message">{t('empty')}</p>}
        {params.multi ? (
          <div ref={gridRef} className="kiosk-grid" style={gridStyle} data-columns={grid?.columns}>
            {shown.map((u) => (
              <KioskTile key={u.id} ups={u} />
            ))}
          </div>
        ) : (
          current && <KioskSingle ups={current} />
        )}
      </main>
      {!params.multi && shown.length > 1 && (
        <nav className="kiosk-dots" aria-label={t('chooseUps')}>
          {shown.map((u, i) => (
            <button key={u.id} type="button" aria-label={t('showUps', { name: u.displayName })} aria-current={i === index % shown.length} onClick={() => setIndex(i)} />
          ))}
        </nav>
      )}
    </div>
  );
}
