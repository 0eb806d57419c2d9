import { memo } from 'react';
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
  const view = upsStatus(ups);
  if (view.freshness === 'live') return null;
  const lk = view.lastKnown;
  if (!lk) {
    // "Waiting for first data" already says it all.
    if (view.freshness === 'waiting') return null;
    return (
      <p className={`last-known is-empty ${className}`} data-testid="last-known">
        No earlier data from this UPS to show.
      </p>
    );
  }
  const r = lk.readings;
  return (
    <div className={`last-known ${className}`} data-testid="last-known" title={`Last known state, from ${formatDateTime(lk.at)}: not live`}>
      <p className="last-known-line">
        <span className="last-known-tag">Last known:</span>{' '}
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
        <dl className="metrics last-known-metrics" aria-label="Last known readings">
          <Metric label="Battery charge" value={formatPercent(r.batteryCharge)} />
          <Metric label="Runtime remaining" value={formatRuntime(r.runtimeRemaining)} />
          <Metric label="Load" value={formatPercent(r.load)} />
          <Metric label="Input voltage" value={formatVolts(r.inputVoltage)} />
          <Metric label="Output voltage" value={formatVolts(r.outputVoltage)} />
          <Metric label="Battery voltage" value={formatVolts(r.batteryVoltage)} />
          <Metric label="Temperature" value={formatTemperature(r.temperature)} />
        </dl>
      )}
    </div>
  );
});
