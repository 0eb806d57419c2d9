import { useCallback, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Trans, useTranslation } from 'react-i18next';
import { buildKioskUrl } from '../lib/kioskParams';
import { filterByGroup, groupFilterParams, groupUps, parseGroupFilter, parseGrouping, type GroupFilter, type Grouping } from '../lib/groups';
import { GroupFilterBar } from '../components/GroupFilterBar';
import { useOpenAlerts } from '../hooks/useOpenAlerts';
import { useUpsList } from '../hooks/useUpsList';
import { useSession } from '../hooks/useSession';
import { Loading } from '../components/Loading';
import { Notice } from '../components/Notice';
import { SummaryBar } from '../components/SummaryBar';
import { UpsCard } from '../components/UpsCard';
import { UpsDetailPanel } from '../components/UpsDetailPanel';
import { TimeAgo } from '../components/TimeAgo';
import { ShutdownBanner } from '../components/shutdown/ShutdownBanner';
import { BatteryWarnings } from '../components/battery/BatteryWarnings';

export function DashboardPage() {
  const { t } = useTranslation('dashboard');
  const query = useUpsList();
  const { isAdmin } = useSession();
  const list = query.data;
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [kioskIds, setKioskIds] = useState<number[]>([]);
  // The site/tag filter and the grouping live in the URL (`/?site=paris&tag=core&group=tag`): a
  // filtered dashboard can be bookmarked, and the kiosk links below carry the filter.
  const [search, setSearch] = useSearchParams();
  const filter = useMemo(() => parseGroupFilter(search), [search]);
  const grouping = useMemo(() => parseGrouping(search), [search]);
  const navigateTo = useCallback(
    (nextFilter: GroupFilter, nextGrouping: Grouping) =>
      setSearch([...groupFilterParams(nextFilter), ...(nextGrouping === 'site' ? [] : [['group', nextGrouping] as [string, string]])], { replace: true }),
    [setSearch],
  );
  const setFilter = useCallback((next: GroupFilter) => navigateTo(next, grouping), [navigateTo, grouping]);
  const setGrouping = useCallback((next: Grouping) => navigateTo(filter, next), [navigateTo, filter]);
  const shown = useMemo(() => filterByGroup(list ?? [], filter), [list, filter]);
  const shownIds = useMemo(() => shown.map((u) => u.id), [shown]);

  const onSelect = useCallback((id: number) => setSelectedId(id), []);
  const onKioskToggle = useCallback(
    (id: number, checked: boolean) => setKioskIds((ids) => (checked ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id))),
    [],
  );
  const selected = useMemo(() => shown.find((u) => u.id === selectedId) ?? shown[0], [shown, selectedId]);
  const alerts = useOpenAlerts();
  // Per UPS: [open, not acknowledged] (numbers, so the memoised cards compare them cheaply).
  const alertCounts = useMemo(() => {
    const counts = new Map<number, [number, number]>();
    for (const a of alerts.data ?? []) {
      if (a.clearedAt) continue;
      const [open, unacked] = counts.get(a.upsId) ?? [0, 0];
      counts.set(a.upsId, [open + 1, unacked + (a.acknowledged ? 0 : 1)]);
    }
    return counts;
  }, [alerts.data]);
  const updatedAt = query.dataUpdatedAt ? new Date(query.dataUpdatedAt).toISOString() : null;

  if (query.isPending) return <Loading label={t('loading')} />;
  if (query.isError && !list) {
    return (
      <div className="page">
        <h1>{t('title')}</h1>
        <Notice kind="error" error={query.error} />
        <p className="muted">{t('keepsTrying')}</p>
      </div>
    );
  }
  const ups = list ?? [];
  const sections = groupUps(shown, grouping);
  // Headings only when they say something: not for one section of UPS without a site or tag.
  const headed = sections.length > 1 || (sections.length === 1 && sections[0].key !== null);
  const noKey = grouping === 'tag' ? t('untagged') : t('noSite');
  return (
    <div className="page">
      <ShutdownBanner />
      <div className="page-head">
        <h1>{t('title')}</h1>
        <div className="button-row">
          <a className="button button-secondary" href={buildKioskUrl({ ups: kioskIds, filter })} target="_blank" rel="noopener">
            {kioskIds.length ? t('openKioskSelected', { count: kioskIds.length }) : t('openKiosk')}
          </a>
          <a className="button button-secondary" href={buildKioskUrl({ multi: true, ups: kioskIds, filter })} target="_blank" rel="noopener">
            {kioskIds.length ? t('openMultiSelected', { count: kioskIds.length }) : t('openMulti')}
          </a>
        </div>
      </div>
      {query.isError && (
        <Notice kind="warning">
          <Trans i18nKey="dashboard:refreshFailed" values={{ message: query.error.message }} components={{ time: <TimeAgo iso={updatedAt} /> }} />
        </Notice>
      )}
      {ups.length === 0 ? (
        <div className="panel empty">
          <h2>{t('empty.title')}</h2>
          <p>{t('empty.text')}</p>
          {isAdmin ? <Link to="/servers">{t('empty.addServer')}</Link> : <p className="muted">{t('empty.askAdmin')}</p>}
        </div>
      ) : (
        <>
          <GroupFilterBar list={ups} filter={filter} onChange={setFilter} grouping={grouping} onGrouping={setGrouping} />
          <SummaryBar list={shown} />
          <BatteryWarnings upsIds={shownIds} />
          <div className="dashboard-grid">
            <div className="cards-by-site">
              {shown.length === 0 && <p className="muted">{t('noMatch')}</p>}
              {sections.map((section) => (
                <section key={section.key ?? ''} aria-label={headed ? (section.key ?? noKey) : t('nav:upsSystems')} className="site-section">
                  {headed && <h2 className="site-title">{section.key ?? noKey}</h2>}
                  <div className="cards">
                    {section.ups.map((u) => (
                      <UpsCard
                        key={u.id}
                        ups={u}
                        selected={u.id === selected?.id}
                        kioskChecked={kioskIds.includes(u.id)}
                        onSelect={onSelect}
                        onKioskToggle={onKioskToggle}
                        openAlerts={alertCounts.get(u.id)?.[0] ?? 0}
                        unacknowledgedAlerts={alertCounts.get(u.id)?.[1] ?? 0}
                      />
                    ))}
                  </div>
                </section>
              ))}
            </div>
            {selected && <UpsDetailPanel ups={selected} />}
          </div>
        </>
      )}
    </div>
  );
}
