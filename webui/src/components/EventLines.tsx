import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listUpsEvents } from '../api/endpoints';
import { keys } from '../api/keys';
import { eventDetail, eventKindLabel, formatDateTime, outageText } from '../lib/format';
import type { UpsEvent } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';
import '../styles/ups.css';

function eventList(data: UpsEvent[] | { events: UpsEvent[] } | undefined): UpsEvent[] {
  if (!data) return [];
  return Array.isArray(data) ? data : (data.events ?? []);
}

/** One power event: what happened, from → to, a self-test's result, and for a restore the outage it ended. */
export function EventLine({ event: e }: { event: UpsEvent }) {
  const detail = eventDetail(e.kind, e.details);
  const outage = outageText(e.outage);
  return (
    <li>
      <span className="event-kind">{eventKindLabel(e.kind)}</span>{' '}
      <span>
        {e.previousStatus ?? ''} → {e.newStatus ?? ''}
      </span>
      {detail && <span className="muted small"> ({detail})</span>}
      <span className="muted small"> {formatDateTime(e.occurredAt)}</span>
      {outage && (
        <span className="event-outage" data-testid="outage">
          {outage}
        </span>
      )}
    </li>
  );
}

/** The UPS page's "Recent events". */
export function EventLines({ upsId }: { upsId: number }) {
  const { t } = useTranslation('ups');
  const events = useQuery({ queryKey: keys.upsEvents(upsId), queryFn: () => listUpsEvents(upsId) });
  const list = eventList(events.data);
  return (
    <>
      <h2 id="events-title">{t('events.title')}</h2>
      {events.isPending && <Loading label={t('events.loading')} />}
      {events.isError && <Notice kind="error" error={events.error} />}
      {events.isSuccess && list.length === 0 && <p className="muted">{t('events.empty')}</p>}
      <ul className="events" data-testid="events">
        {list.map((e) => (
          <EventLine key={e.id} event={e} />
        ))}
      </ul>
    </>
  );
}
