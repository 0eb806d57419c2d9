import { memo } from 'react';
import type { Ups } from '../types';
import { formatPercent, formatRuntime, formatVolts } from '../lib/format';
import { upsStatus } from '../lib/status';
import { ChargeBar } from './ChargeBar';
import { StatusBadge } from './StatusBadge';
import { TimeAgo } from './TimeAgo';

interface Props {
  ups: Ups;
}

/** One UPS in the kiosk's multi-view grid. */
export const KioskTile = memo(function KioskTile({ ups }: Props) {
  const view = upsStatus(ups);
  return (
    <article className={`kiosk-tile tone-border-${view.tone} ${view.stale ? 'is-stale' : ''}`} data-testid="kiosk-ups" data-ups-id={ups.id} aria-label={`${ups.displayName}: ${view.label}`}>
      <header>
        <h2>{ups.displayName}</h2>
        <StatusBadge ups={ups} />
      </header>
      <ChargeBar charge={ups.batteryCharge} label={`Battery charge of ${ups.displayName}`} />
      <dl className="kiosk-tile-metrics">
        <div>
          <dt>Runtime</dt>
          <dd>{formatRuntime(ups.runtimeRemaining)}</dd>
        </div>
        <div>
          <dt>Load</dt>
          <dd>{formatPercent(ups.load)}</dd>
        </div>
        <div>
          <dt>Input</dt>
          <dd>{formatVolts(ups.inputVoltage)}</dd>
        </div>
      </dl>
      <p className="kiosk-updated small">
        Updated <TimeAgo iso={ups.lastUpdated} />
      </p>
    </article>
  );
});
