import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ups } from '../types';
import { statusAriaLabel, upsStatus } from '../lib/status';
import { ChargeBar } from './ChargeBar';
import { KeyReadings } from './KeyReadings';
import { LastKnownLine } from './LastKnownLine';
import { StatusBadge } from './StatusBadge';
import { TimeAgo } from './TimeAgo';

interface Props {
  ups: Ups;
}

/** One UPS in the kiosk's multi-view grid. */
export const KioskTile = memo(function KioskTile({ ups }: Props) {
  const { t } = useTranslation('kiosk');
  const view = upsStatus(ups);
  return (
    <article className={`kiosk-tile tone-border-${view.tone} ${view.freshness !== 'live' ? 'is-stale' : ''}`} data-testid="kiosk-ups" data-ups-id={ups.id} aria-label={statusAriaLabel(ups.displayName, view)}>
      <header>
        <h2>{ups.displayName}</h2>
        <StatusBadge ups={ups} />
      </header>
      <LastKnownLine ups={ups} />
      <ChargeBar charge={ups.batteryCharge} label={t('chargeOf', { name: ups.displayName })} />
      <KeyReadings ups={ups} className="kiosk-tile-metrics" />
      {view.freshness === 'live' && (
        <p className="kiosk-updated small">
          {t('updated')} <TimeAgo iso={ups.lastUpdated} />
        </p>
      )}
    </article>
  );
});
