import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getUps } from '../api/endpoints';
import { keys } from '../api/keys';
import { useLiveState } from '../hooks/useLiveUpdates';
import { usePollIntervalMs } from '../hooks/usePollInterval';
import { formatPercent, formatRuntime, formatTemperature, formatVolts } from '../lib/format';
import { upsStatus } from '../lib/status';
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
import { VariableGroups } from '../components/VariableGroups';
import { EventLines } from '../components/EventLines';
import { ProtectionPanel } from '../components/ProtectionPanel';
import { BatteryTab } from '../components/battery/BatteryTab';
import { UpsTabs, useUpsTab } from '../components/battery/UpsTabs';
import { UpsEnergy } from '../components/reports/UpsEnergy';

const HistoryCharts = lazy(() => import('../components/HistoryCharts'));

export default function UpsPage() {
  const { t } = useTranslation('upsPage');
  const id = Number(useParams().id);
  const pollMs = usePollIntervalMs();
  const { isAdmin, canOperate } = useSession();
  const live = useLiveState();
  const tab = useUpsTab();
  const query = useQuery({
    queryKey: keys.ups(id),
    queryFn: () => getUps(id),
    enabled: Number.isInteger(id),
    refetchInterval: live === 'live' ? Math.max(pollMs * 10, 60_000) : pollMs,
  });

  if (query.isPending) return <Loading label={t('loading')} />;
  if (query.isError && !query.data) {
    return (
      <div className="page">
        <Notice kind="error" error={query.error} />
        <Link to="/ups-systems">{t('back')}</Link>
      </div>
    );
  }
  const ups = query.data;
  const err = errorText(ups);
  // Not live: the last known block below carries the time of the data.
  const fresh = upsStatus(ups).freshness === 'live';
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/ups-systems">{t('nav:upsSystems')}</Link> / {ups.upsName}
      </p>
      <div className="page-head">
        <NicknameEditor key={ups.id} ups={ups} />
        <StatusBadge ups={ups} size="large" />
      </div>
      {query.isError && <Notice kind="warning">{t('refreshFailed', { message: query.error.message })}</Notice>}
      {err && <Notice kind="warning">{t('dashboard:detail.pollFailed', { error: err })}</Notice>}
      <UpsTabs tab={tab} />
      <section className="panel" hidden={tab === 'battery'}>
        <p className="muted small">
          <UpsMeta ups={ups} />
          {fresh && (
            <>
              {' '}
              · {t('updated')} <TimeAgo iso={ups.lastUpdated} />
            </>
          )}
        </p>
        <TagEditor key={ups.id} ups={ups} canEdit={isAdmin} />
        <MuteControl key={`mute-${ups.id}`} ups={ups} canMute={canOperate} />
        <UpsAlerts upsId={ups.id} />
        <LastKnownLine ups={ups} variant="full" />
        <ChargeBar charge={ups.batteryCharge} />
        <dl className="metrics">
          <Metric label={t('dashboard:readings.runtimeRemaining')} value={formatRuntime(ups.runtimeRemaining)} />
          <Metric label={t('dashboard:readings.load')} value={formatPercent(ups.load)} />
          <Metric label={t('dashboard:readings.inputVoltage')} value={formatVolts(ups.inputVoltage)} />
          <Metric label={t('dashboard:readings.outputVoltage')} value={formatVolts(ups.outputVoltage)} />
          <Metric label={t('dashboard:readings.batteryVoltage')} value={formatVolts(ups.batteryVoltage)} />
          <Metric label={t('dashboard:readings.temperature')} value={formatTemperature(ups.temperature)} />
        </dl>
      </section>
      {tab === 'battery' && <BatteryTab key={`battery-${ups.id}`} upsId={ups.id} canEdit={isAdmin} canRunTest={canOperate} />}
      <div className="two-col" hidden={tab === 'battery'}>
        <section aria-labelledby="vars-title">
          <VariableGroups upsId={ups.id} updated={ups.lastUpdated} />
          {canOperate && <UpsControls upsId={ups.id} showVariables={isAdmin} />}
          {canOperate && <FireDrill key={ups.id} upsId={ups.id} upsName={ups.displayName} />}
          <ProtectionPanel key={`protection-${ups.id}`} upsId={ups.id} canEdit={isAdmin} />
        </section>
        <section aria-labelledby="events-title">
          <EventLines upsId={ups.id} />
          <Suspense fallback={<Loading label={t('dashboard:detail.loadingCharts')} />}>
            <HistoryCharts upsId={ups.id} />
          </Suspense>
          {tab === 'overview' && <UpsEnergy key={`energy-${ups.id}`} upsId={ups.id} />}
        </section>
      </div>
    </div>
  );
}
