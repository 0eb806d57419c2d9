import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import type { Ups } from '../types';
import { formatPercent, formatRuntime, formatTemperature, formatVolts } from '../lib/format';
import { useIdle } from '../hooks/useIdle';
import { useSession } from '../hooks/useSession';
import { ChargeBar } from './ChargeBar';
import { Loading } from './Loading';
import { LastKnownLine } from './LastKnownLine';
import { Metric } from './Metric';
import { MuteControl } from './MuteControl';
import { StatusBadge } from './StatusBadge';
import { TimeAgo } from './TimeAgo';
import { UpsAlerts } from './UpsAlerts';
import { errorText } from './UpsCard';
import { UpsMeta } from './UpsMeta';

const HistoryCharts = lazy(() => import('./HistoryCharts'));

interface Props {
  ups: Ups;
}

/** The selected UPS in full, with its history charts (loaded on demand). */
export function UpsDetailPanel({ ups }: Props) {
  const err = errorText(ups);
  const idle = useIdle();
  const { isAdmin } = useSession();
  return (
    <section className="panel detail" aria-labelledby="detail-title">
      <header className="detail-head">
        <div>
          <h2 id="detail-title">{ups.displayName}</h2>
          <p className="muted small">
            <UpsMeta ups={ups} /> · {ups.upsName}
          </p>
        </div>
        <StatusBadge ups={ups} size="large" />
      </header>
      {err && <p className="ups-card-error">Last poll failed: {err}</p>}
      <MuteControl key={ups.id} ups={ups} canMute={isAdmin} />
      <UpsAlerts upsId={ups.id} />
      <LastKnownLine ups={ups} variant="full" />
      <ChargeBar charge={ups.batteryCharge} />
      <dl className="metrics">
        <Metric label="Battery charge" value={formatPercent(ups.batteryCharge)} />
        <Metric label="Runtime remaining" value={formatRuntime(ups.runtimeRemaining)} />
        <Metric label="Load" value={formatPercent(ups.load)} />
        <Metric label="Input voltage" value={formatVolts(ups.inputVoltage)} />
        <Metric label="Output voltage" value={formatVolts(ups.outputVoltage)} />
        <Metric label="Battery voltage" value={formatVolts(ups.batteryVoltage)} />
        <Metric label="Temperature" value={formatTemperature(ups.temperature)} />
        <Metric label="Last update" value={<TimeAgo iso={ups.lastUpdated} />} />
      </dl>
      <p>
        <Link to={`/ups-systems/${ups.id}`}>All variables and events of {ups.displayName} →</Link>
      </p>
      <Suspense fallback={<Loading label="Loading charts…" />}>
        {idle ? <HistoryCharts upsId={ups.id} /> : <Loading label="Loading charts…" />}
      </Suspense>
    </section>
  );
}
