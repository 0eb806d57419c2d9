import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { buildKioskUrl } from '../lib/kioskParams';
import { useUpsList } from '../hooks/useUpsList';
import { useSession } from '../hooks/useSession';
import { Loading } from '../components/Loading';
import { Notice } from '../components/Notice';
import { SummaryBar } from '../components/SummaryBar';
import { UpsCard } from '../components/UpsCard';
import { UpsDetailPanel } from '../components/UpsDetailPanel';
import { TimeAgo } from '../components/TimeAgo';

export function DashboardPage() {
  const query = useUpsList();
  const { isAdmin } = useSession();
  const list = query.data;
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [kioskIds, setKioskIds] = useState<number[]>([]);

  const onSelect = useCallback((id: number) => setSelectedId(id), []);
  const onKioskToggle = useCallback(
    (id: number, checked: boolean) => setKioskIds((ids) => (checked ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id))),
    [],
  );
  const selected = useMemo(() => list?.find((u) => u.id === selectedId) ?? list?.[0], [list, selectedId]);
  const updatedAt = query.dataUpdatedAt ? new Date(query.dataUpdatedAt).toISOString() : null;

  if (query.isPending) return <Loading label="Loading UPS systems…" />;
  if (query.isError && !list) {
    return (
      <div className="page">
        <h1>Dashboard</h1>
        <Notice kind="error" error={query.error} />
        <p className="muted">PowerPulse keeps trying in the background.</p>
      </div>
    );
  }
  const ups = list ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Dashboard</h1>
        <div className="button-row">
          <a className="button button-secondary" href={buildKioskUrl({ ups: kioskIds })} target="_blank" rel="noopener">
            Open kiosk{kioskIds.length ? ` (${kioskIds.length} selected)` : ''}
          </a>
          <a className="button button-secondary" href={buildKioskUrl({ multi: true, ups: kioskIds })} target="_blank" rel="noopener">
            Open multi-view{kioskIds.length ? ` (${kioskIds.length} selected)` : ''}
          </a>
        </div>
      </div>
      {query.isError && (
        <Notice kind="warning">
          Could not refresh ({query.error.message}). Showing data from <TimeAgo iso={updatedAt} />; retrying.
        </Notice>
      )}
      {ups.length === 0 ? (
        <div className="panel empty">
          <h2>No UPS systems yet</h2>
          <p>PowerPulse shows the UPS served by your NUT servers.</p>
          {isAdmin ? <Link to="/servers">Add a NUT server</Link> : <p className="muted">Ask an administrator to add a NUT server.</p>}
        </div>
      ) : (
        <>
          <SummaryBar list={ups} />
          <div className="dashboard-grid">
            <section aria-label="UPS systems" className="cards">
              {ups.map((u) => (
                <UpsCard
                  key={u.id}
                  ups={u}
                  selected={u.id === selected?.id}
                  kioskChecked={kioskIds.includes(u.id)}
                  onSelect={onSelect}
                  onKioskToggle={onKioskToggle}
                />
              ))}
            </section>
            {selected && <UpsDetailPanel ups={selected} />}
          </div>
        </>
      )}
    </div>
  );
}
