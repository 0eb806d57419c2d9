import { useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { listKiosk } from '../api/endpoints';
import { keys } from '../api/keys';
import { useLiveState, useLiveUpdates } from '../hooks/useLiveUpdates';
import { kioskPollIntervalMs } from '../hooks/usePollInterval';
import { useTheme } from '../hooks/useTheme';
import { buildKioskUrl, parseKioskParams, selectKioskUps } from '../lib/kioskParams';
import { useStatusModel } from '../hooks/useStatusModel';
import { summarize } from '../lib/status';
import { filterByGroup } from '../lib/groups';
import { KioskSingle } from '../components/KioskSingle';
import { KioskTile } from '../components/KioskTile';
import { TimeAgo } from '../components/TimeAgo';

const RETRY_MS = 5_000;

/**
 * The public wall display. A failed refresh never replaces the screen with an error: the last
 * data stays, a banner says it is stale, and polling plus the stream's reconnect recover by
 * themselves.
 */
export default function KioskPage() {
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
    // While the api is unreachable, look again every few seconds so the wall recovers quickly.
    refetchInterval: (q) => (q.state.status === 'error' ? RETRY_MS : live === 'live' ? 60_000 : pollMs),
    refetchIntervalInBackground: true,
    retry: 0,
  });
  // Filtered here, not by the API: the stream patches the one kiosk list every kiosk shares.
  const shown = useMemo(() => selectKioskUps(filterByGroup(query.data ?? [], params.filter), params.ups), [query.data, params.ups, params.filter]);
  const [index, setIndex] = useState(0);

  useEffect(() => {
    document.title = 'PowerPulse kiosk';
  }, []);
  useEffect(() => {
    if (params.multi || shown.length < 2) return;
    const id = setInterval(() => setIndex((i) => (i + 1) % shown.length), params.rotateSeconds * 1000);
    return () => clearInterval(id);
  }, [params.multi, params.rotateSeconds, shown.length]);

  const setMulti = (multi: boolean) => navigate(buildKioskUrl({ ...params, multi }), { replace: true });
  const current = shown.length ? shown[index % shown.length] : undefined;
  const model = useStatusModel();
  const counts = summarize(shown, model.data?.buckets);
  const failing = query.isError;
  const updatedAt = query.dataUpdatedAt ? new Date(query.dataUpdatedAt).toISOString() : null;

  return (
    <div className={`kiosk theme-${theme}`} data-testid="kiosk" data-mode={params.multi ? 'multi' : 'single'}>
      <header className="kiosk-bar">
        <span className="kiosk-brand">
          <span aria-hidden="true">⚡</span> PowerPulse
        </span>
        <span className="kiosk-counts" aria-label="Summary">
          {counts.map((b) => `${b.n} ${b.label.toLowerCase()}`).join(' · ')}
        </span>
        <button type="button" className="kiosk-toggle" onClick={() => setMulti(!params.multi)} aria-label={params.multi ? 'Show one UPS at a time' : 'Show all UPS in a grid'}>
          {params.multi ? '▣ Single view' : '▦ Grid view'}
        </button>
      </header>
      {failing && query.data && (
        <div className="kiosk-stale" role="status" data-testid="kiosk-stale">
          <span aria-hidden="true">⚠</span> Connection lost — showing data from <TimeAgo iso={updatedAt} />. Reconnecting…
        </div>
      )}
      <main className={`kiosk-main ${failing && query.data ? 'is-stale' : ''}`}>
        {query.isPending && <p className="kiosk-message">Loading UPS systems…</p>}
        {failing && !query.data && (
          <p className="kiosk-message" data-testid="kiosk-waiting">
            <span aria-hidden="true">⚠</span> Waiting for PowerPulse… retrying every {RETRY_MS / 1000} s.
          </p>
        )}
        {query.data && shown.length === 0 && <p className="kiosk-message">No UPS systems to show.</p>}
        {params.multi ? (
          <div className={`kiosk-grid n-${Math.min(shown.length, 9)}`}>
            {shown.map((u) => (
              <KioskTile key={u.id} ups={u} />
            ))}
          </div>
        ) : (
          current && <KioskSingle ups={current} />
        )}
      </main>
      {!params.multi && shown.length > 1 && (
        <nav className="kiosk-dots" aria-label="Choose UPS">
          {shown.map((u, i) => (
            <button key={u.id} type="button" aria-label={`Show ${u.displayName}`} aria-current={i === index % shown.length} onClick={() => setIndex(i)} />
          ))}
        </nav>
      )}
    </div>
  );
}
