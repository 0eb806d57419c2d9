import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatPercent, formatRuntime, formatTemperature, formatVolts } from '../lib/format';
import { upsStatus, type UpsLike } from '../lib/status';
import { Metric } from './Metric';
import { TimeAgo } from './TimeAgo';

interface Props {
  ups: UpsLike;
  /** `full`: every last known reading as well (UPS page, detail panel). */
  variant?: 'line' | 'full';
  className?: string;
}

/**
 * The last fresh state of a UPS whose live data is stale or unreachable: "Last known: On
 * Battery · 92% · 2 min ago", greyed and dated so it never reads as live. Nothing while live.
 */
export const LastKnownLine = memo(function LastKnownLine({ ups, variant = 'line', className = '' }: Props) {
  const { t } = useTranslation('dashboard');
  const view = upsStatus(ups);
  if (view.freshness === 'live') return null;
  const lk = view.lastKnown;
  if (!lk) {
    // "Waiting for first data" already says it all.
    if (view.freshness === 'waiting') return null;
    return (
      <p className={`last-known is-empty ${className}`} data-testid="last-known">
        {t('lastKnown.none')}
      </p>
    );
  }
  const r = lk.readings;
  return (
    <div className={`last-known ${className}`} data-testid="last-known" title={t('lastKnown.title', { at: formatDateTime(lk.at) })}>
      <p className="last-known-line">
        <span className="last-known-tag">{t('lastKnown.tag')}</span>{' '}
        <span className="last-known-status" data-tone={lk.tone}>
          {lk.label}
        </span>
        {r.batteryCharge !== null && <> · {formatPercent(r.batteryCharge)}</>}
        {' · '}
        <TimeAgo iso={lk.at} />
        {lk.chips.map((c) => (
          <span key={`${c.code}:${c.label}`} className="last-known-chip">
            {c.label}
          </span>
        ))}
      </p>
      {variant === 'full' && (
        <dl className="metrics last-known-metrics" aria-label={t('lastKnown.readings')}>
          <Metric label={t('readings.batteryCharge')} value={formatPercent(r.batteryCharge)} />
          <Metric label={t('readings.runtimeRemaining')} value={formatRuntime(r.runtimeRemaining)} />
          <Metric label={t('readings.load')} value={formatPercent(r.load)} />
          <Metric label={t('readings.inputVoltage')} value={formatVolts(r.inputVoltage)} />
          <Metric label={t('readings.outputVoltage')} value={formatVolts(r.outputVoltage)} />
          <Metric label={t('readings.batteryVoltage')} value={formatVolts(r.batteryVoltage)} />
          <Metric label={t('readings.temperature')} value={formatTemperature(r.temperature)} />
        </dl>
      )}
    </div>
  );
});
