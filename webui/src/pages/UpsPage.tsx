import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { getUps, listUpsEvents } from '../api/endpoints';
import { keys } from '../api/keys';
import { useLiveState } from '../hooks/useLiveUpdates';
import { usePollIntervalMs } from '../hooks/usePollInterval';
import { eventDetail, eventKindLabel, formatDateTime, formatPercent, formatRuntime, formatTemperature, formatVolts, variableLabel, variableValue } from '../lib/format';
import { upsStatus } from '../lib/status';
import type { Details, UpsEvent } from '../types';
import { ChargeBar } from '../components/ChargeBar';
import { Loading } from '../components/Loading';
import { Metric } from '../components/Metric';
import { NicknameEditor } from '../components/NicknameEditor';
import { TagEditor } from '../components/TagEditor';
import { Notice } from '../components/Notice';
import { StatusBadge } from '../components/StatusBadge';
import { TimeAgo } from '../components/TimeAgo';
import { UpsControls } from '../components/UpsControls';
import { FireDrill } from '../components/FireDrill';
import { MuteControl } from '../components/MuteControl';
import { UpsAlerts } from '../components/UpsAlerts';
import { UpsMeta } from '../components/UpsMeta';
import { LastKnownLine } from '../components/LastKnownLine';
import { useSession } from '../hooks/useSession';
import { errorText } from '../components/UpsCard';

const HistoryCharts = lazy(() => import('../components/HistoryCharts'));

const GROUPS: { key: 'batteryDetails' | 'deviceDetails' | 'inputDetails' | 'outputDetails' | 'upsDetails' | 'driverDetails'; title: string }[] = [
  { key: 'batteryDetails', title: 'Battery' },
  { key: 'deviceDetails', title: 'Device' },
  { key: 'inputDetails', title: 'Input' },
  { key: 'outputDetails', title: 'Output' },
  { key: 'upsDetails', title: 'UPS' },
  { key: 'driverDetails', title: 'Driver' },
];

function VariableGroup({ title, details }: { title: string; details: Details | null | undefined }) {
  const all = Object.entries(details ?? {}).sort(([a], [b]) => a.localeCompare(b));
  // Variables this UPS does not report stay out of the table; their count is still shown.
  const entries = all.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const missing = all.length - entries.length;
  if (!all.length) return null;
  return (
    <details className="panel var-group" open>
      <summary>
        <h3>{title}</h3>{' '}
        <span className="muted small">
          {entries.length} reported{missing ? `, ${missing} not reported` : ''}
        </span>
      </summary>
      <table className="vars">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row" title={k}>
                {variableLabel(k)}
              </th>
              <td>{variableValue(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function eventList(data: UpsEvent[] | { events: UpsEvent[] } | undefined): UpsEvent[] {
  if (!data) return [];
  return Array.isArray(data) ? data : (data.events ?? []);
}

export default function UpsPage() {
  const id = Number(useParams().id);
  const pollMs = usePollIntervalMs();
  const { isAdmin } = useSession();
  const live = useLiveState();
  const query = useQuery({
    queryKey: keys.ups(id),
    queryFn: () => getUps(id),
    enabled: Number.isInteger(id),
    refetchInterval: live === 'live' ? Math.max(pollMs * 10, 60_000) : pollMs,
  });
  const events = useQuery({ queryKey: keys.upsEvents(id), queryFn: () => listUpsEvents(id), enabled: Number.isInteger(id) });

  if (query.isPending) return <Loading label="Loading UPS…" />;
  if (query.isError && !query.data) {
    return (
      <div className="page">
        <Notice kind="error" error={query.error} />
        <Link to="/ups-systems">Back to UPS systems</Link>
      </div>
    );
  }
  const ups = query.data;
  const err = errorText(ups);
  // Not live: the last known block below carries the time of the data.
  const fresh = upsStatus(ups).freshness === 'live';
  const evs = eventList(events.data);
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/ups-systems">UPS systems</Link> / {ups.upsName}
      </p>
      <div className="page-head">
        <NicknameEditor key={ups.id} ups={ups} />
        <StatusBadge ups={ups} size="large" />
      </div>
      {query.isError && <Notice kind="warning">Could not refresh: {query.error.message}. Showing the last data.</Notice>}
      {err && <Notice kind="warning">Last poll failed: {err}</Notice>}
      <section className="panel">
        <p className="muted small">
          <UpsMeta ups={ups} />
          {fresh && (
            <>
              {' '}
              · updated <TimeAgo iso={ups.lastUpdated} />
            </>
          )}
        </p>
        <TagEditor key={ups.id} ups={ups} canEdit={isAdmin} />
        <MuteControl key={`mute-${ups.id}`} ups={ups} canMute={isAdmin} />
        <UpsAlerts upsId={ups.id} />
        <LastKnownLine ups={ups} variant="full" />
        <ChargeBar charge={ups.batteryCharge} />
        <dl className="metrics">
          <Metric label="Runtime remaining" value={formatRuntime(ups.runtimeRemaining)} />
          <Metric label="Load" value={formatPercent(ups.load)} />
          <Metric label="Input voltage" value={formatVolts(ups.inputVoltage)} />
          <Metric label="Output voltage" value={formatVolts(ups.outputVoltage)} />
          <Metric label="Battery voltage" value={formatVolts(ups.batteryVoltage)} />
          <Metric label="Temperature" value={formatTemperature(ups.temperature)} />
        </dl>
      </section>
      <div className="two-col">
        <section aria-labelledby="vars-title">
          <h2 id="vars-title">Variables</h2>
          {GROUPS.map((g) => (
            <VariableGroup key={g.key} title={g.title} details={ups[g.key]} />
          ))}
          {isAdmin && <UpsControls upsId={ups.id} />}
          {isAdmin && <FireDrill key={ups.id} upsId={ups.id} upsName={ups.displayName} />}
        </section>
        <section aria-labelledby="events-title">
          <h2 id="events-title">Recent events</h2>
          {events.isPending && <Loading label="Loading events…" />}
          {events.isError && <Notice kind="error" error={events.error} />}
          {events.isSuccess && evs.length === 0 && <p className="muted">No power events recorded for this UPS.</p>}
          <ul className="events" data-testid="events">
            {evs.map((e) => (
              <li key={e.id}>
                <span className="event-kind">{eventKindLabel(e.kind)}</span>{' '}
                <span>
                  {e.previousStatus ?? ''} → {e.newStatus ?? ''}
                </span>
                {eventDetail(e.kind, e.details) && <span className="muted small"> ({eventDetail(e.kind, e.details)})</span>}
                <span className="muted small"> {formatDateTime(e.occurredAt)}</span>
              </li>
            ))}
          </ul>
          <Suspense fallback={<Loading label="Loading charts…" />}>
            <HistoryCharts upsId={ups.id} />
          </Suspense>
        </section>
      </div>
    </div>
  );
}
