import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('dashboard');
  const err = errorText(ups);
  const idle = useIdle();
  const { canOperate } = useSession();
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
      {err && <p className="ups-card-error">{t('detail.pollFailed', { error: err })}</p>}
      <MuteControl key={ups.id} ups={ups} canMute={canOperate} />
      <UpsAlerts upsId={ups.id} />
      <LastKnownLine ups={ups} variant="full" />
      <ChargeBar charge={ups.batteryCharge} />
      <dl className="metrics">
        <Metric label={t('readings.batteryCharge')} value={formatPercent(ups.batteryCharge)} />
        <Metric label={t('readings.runtimeRemaining')} value={formatRuntime(ups.runtimeRemaining)} />
        <Metric label={t('readings.load')} value={formatPercent(ups.load)} />
        <Metric label={t('readings.inputVoltage')} value={formatVolts(ups.inputVoltage)} />
        <Metric label={t('readings.outputVoltage')} value={formatVolts(ups.outputVoltage)} />
        <Metric label={t('readings.batteryVoltage')} value={formatVolts(ups.batteryVoltage)} />
        <Metric label={t('readings.temperature')} value={formatTemperature(ups.temperature)} />
        <Metric label={t('readings.lastUpdate')} value={<TimeAgo iso={ups.lastUpdated} />} />
      </dl>
      <p>
        <Link to={`/ups-systems/${ups.id}`}>{t('detail.allOf', { name: ups.displayName })}</Link>
      </p>
      <Suspense fallback={<Loading label={t('detail.loadingCharts')} />}>
        {idle ? <HistoryCharts upsId={ups.id} /> : <Loading label={t('detail.loadingCharts')} />}
      </Suspense>
    </section>
  );
}
