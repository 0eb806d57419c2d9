import { useId, useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { eventDetail, eventKindLabel, formatDateTime } from '../../lib/format';
import { POWER_KINDS, eventsPath, filterBounds, type ReportFilter } from '../../lib/reports';
import { getFleetEvents, reportsKeys } from '../../lib/reportsApi';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { ExportButtons } from './ExportButtons';

const PAGE = 50;

/** Every UPS's power events, newest first, with "older" on the API's `before` keyset. */
export function TimelineSection({ filter }: { filter: ReportFilter }) {
  const { t } = useTranslation('reports');
  const id = useId();
  const [kind, setKind] = useState('');
  const base = eventsPath(filter, kind, { limit: PAGE });
  const query = useInfiniteQuery({
    queryKey: reportsKeys.events(base),
    queryFn: ({ pageParam }) => getFleetEvents(eventsPath(filter, kind, { limit: PAGE, before: pageParam })),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  const { from, to } = filterBounds(filter);
  return (
    <section className="panel reports-section" aria-labelledby="reports-timeline">
      <div className="page-head">
        <h2 id="reports-timeline">{t('timeline.title')}</h2>
        <ExportButtons pathFor={(format) => eventsPath(filter, kind, { format })} stem="events" from={from} to={to} what={t('timeline.what')} />
      </div>
      <div className="field reports-kind">
        <label htmlFor={`${id}-kind`}>{t('timeline.kind')}</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">{t('timeline.allKinds')}</option>
          {POWER_KINDS.map((k) => (
            <option key={k} value={k}>
              {eventKindLabel(k)}
            </option>
          ))}
        </select>
      </div>
      {query.isPending && <Loading label={t('timeline.loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.isSuccess && events.length === 0 && <p className="muted">{t('timeline.empty')}</p>}
      {events.length > 0 && (
        <ol className="reports-timeline" aria-label={t('timeline.title')}>
          {events.map((e) => {
            const detail = eventDetail(e.kind, e.details);
            return (
              <li key={e.id} data-testid="timeline-event" data-kind={e.kind}>
                <time dateTime={e.occurredAt} className="reports-when">
                  {formatDateTime(e.occurredAt)}
                </time>
                <span className={`reports-kind-tag kind-${e.kind}`}>{eventKindLabel(e.kind)}</span>
                <Link to={`/ups-systems/${e.upsId}`}>{e.displayName || e.upsName}</Link>
                {e.site && <span className="muted small">{e.site}</span>}
                {(e.previousStatus || e.newStatus) && (
                  <span className="muted small">
                    {e.previousStatus || '–'} → {e.newStatus || '–'}
                  </span>
                )}
                {detail && <span className="muted small">{detail}</span>}
              </li>
            );
          })}
        </ol>
      )}
      {query.hasNextPage && (
        <button type="button" className="button-secondary" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? t('loadingMore') : t('timeline.older')}
        </button>
      )}
    </section>
  );
}
