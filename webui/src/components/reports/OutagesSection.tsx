import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatDuration, formatPercent } from '../../lib/format';
import { filterBounds, outageEnergyText, outagesPath, type ReportFilter } from '../../lib/reports';
import { getOutages, reportsKeys } from '../../lib/reportsApi';
import { runStateText } from '../../lib/shutdownText';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { ExportButtons } from './ExportButtons';

const PAGE = 50;

/** The outage records, newest first, with "load more" on the API's keyset cursor. */
export function OutagesSection({ filter }: { filter: ReportFilter }) {
  const { t } = useTranslation('reports');
  const base = outagesPath(filter, { limit: PAGE });
  const query = useInfiniteQuery({
    queryKey: reportsKeys.outages(base),
    queryFn: ({ pageParam }) => getOutages(outagesPath(filter, { limit: PAGE, cursor: pageParam })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.outages) ?? [];
  const { from, to } = filterBounds(filter);
  return (
    <section className="panel reports-section" aria-labelledby="reports-outages">
      <div className="page-head">
        <h2 id="reports-outages">{t('outages.title')}</h2>
        <ExportButtons pathFor={(format) => outagesPath(filter, { format })} stem="outages" from={from} to={to} what={t('outages.what')} />
      </div>
      {query.isPending && <Loading label={t('outages.loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.isSuccess && rows.length === 0 && <p className="muted">{t('outages.empty')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="reports-table reports-stack" data-testid="outages-table">
            <thead>
              <tr>
                <th scope="col">{t('outages.col.ups')}</th>
                <th scope="col">{t('outages.col.start')}</th>
                <th scope="col">{t('outages.col.end')}</th>
                <th scope="col">{t('outages.col.duration')}</th>
                <th scope="col">{t('outages.col.minCharge')}</th>
                <th scope="col">{t('outages.col.minRuntime')}</th>
                <th scope="col">{t('outages.col.energy')}</th>
                <th scope="col">{t('outages.col.shutdown')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.id} data-testid="outage-row">
                  <td data-label={t('outages.col.ups')}>
                    <Link to={`/ups-systems/${o.upsId}`}>{o.displayName || o.upsName}</Link>
                    {o.site && <span className="muted small"> · {o.site}</span>}
                  </td>
                  <td data-label={t('outages.col.start')}>{formatDateTime(o.startedAt)}</td>
                  <td data-label={t('outages.col.end')}>{o.endedAt ? formatDateTime(o.endedAt) : <span className="reports-ongoing">{t('outages.ongoing')}</span>}</td>
                  <td data-label={t('outages.col.duration')}>{formatDuration(o.durationSeconds)}</td>
                  <td data-label={t('outages.col.minCharge')}>{formatPercent(o.minCharge)}</td>
                  <td data-label={t('outages.col.minRuntime')}>{formatDuration(o.minRuntimeSeconds)}</td>
                  <td data-label={t('outages.col.energy')}>{outageEnergyText(o.energyWh, o.energyCoverage)}</td>
                  <td data-label={t('outages.col.shutdown')}>
                    {o.shutdownRuns.length === 0 ? (
                      <span className="muted">{t('outages.noShutdown')}</span>
                    ) : (
                      <ul className="reports-list">
                        {o.shutdownRuns.map((r, i) => (
                          <li key={r.id ?? `run-${i}`}>
                            {t('outages.run', { plan: r.plan ?? t('outages.unknownPlan'), state: r.state ? runStateText(r.state) : t('outages.unknownState') })}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query.hasNextPage && (
        <button type="button" className="button-secondary" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? t('loadingMore') : t('outages.more')}
        </button>
      )}
    </section>
  );
}
