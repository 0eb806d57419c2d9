import { useCallback, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useUpsList } from '../hooks/useUpsList';
import { filterByGroup, groupFilterParams, parseGroupFilter, type GroupFilter } from '../lib/groups';
import { GroupFilterBar } from '../components/GroupFilterBar';
import { formatPercent, formatRuntime } from '../lib/format';
import { Loading } from '../components/Loading';
import { Notice } from '../components/Notice';
import { LastKnownLine } from '../components/LastKnownLine';
import { StatusBadge } from '../components/StatusBadge';
import { TimeAgo } from '../components/TimeAgo';

export default function UpsListPage() {
  const { t } = useTranslation('dashboard');
  const query = useUpsList();
  const [search, setSearch] = useSearchParams();
  const filter = useMemo(() => parseGroupFilter(search), [search]);
  const setFilter = useCallback((next: GroupFilter) => setSearch(groupFilterParams(next), { replace: true }), [setSearch]);
  const all = useMemo(() => query.data ?? [], [query.data]);
  const list = useMemo(() => filterByGroup(all, filter), [all, filter]);
  if (query.isPending) return <Loading label={t('loading')} />;
  return (
    <div className="page">
      <h1>{t('nav:upsSystems')}</h1>
      {query.isError && <Notice kind={list.length ? 'warning' : 'error'} error={query.error} />}
      <GroupFilterBar list={all} filter={filter} onChange={setFilter} />
      {all.length === 0 ? (
        <p className="muted">{t('list.empty')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('noMatch')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('list.name')}</th>
                <th scope="col">{t('list.status')}</th>
                <th scope="col">{t('list.charge')}</th>
                <th scope="col">{t('readings.runtime')}</th>
                <th scope="col">{t('readings.load')}</th>
                <th scope="col">{t('list.nutName')}</th>
                <th scope="col">{t('filter.site')}</th>
                <th scope="col">{t('filter.tags')}</th>
                <th scope="col">{t('list.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`/ups-systems/${u.id}`}>{u.displayName}</Link>
                  </td>
                  <td>
                    <StatusBadge ups={u} />
                    <LastKnownLine ups={u} className="small" />
                  </td>
                  <td>{formatPercent(u.batteryCharge)}</td>
                  <td>{formatRuntime(u.runtimeRemaining)}</td>
                  <td>{formatPercent(u.load)}</td>
                  <td>
                    <code>{u.upsName}</code>
                  </td>
                  <td>{u.site ?? '—'}</td>
                  <td>{u.tags.length ? u.tags.join(', ') : '—'}</td>
                  <td>
                    <TimeAgo iso={u.lastUpdated} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
