import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ups } from '../types';
import { formatPercent, formatTemperature, formatVolts } from '../lib/format';
import { statusAriaLabel, upsStatus } from '../lib/status';
import { ChargeBar } from './ChargeBar';
import { KeyReadings } from './KeyReadings';
import { LastKnownLine } from './LastKnownLine';
import { StatusBadge } from './StatusBadge';
import { TimeAgo } from './TimeAgo';

interface Props {
  ups: Ups;
}

/** One UPS filling the screen, readable across a room. */
export const KioskSingle = memo(function KioskSingle({ ups }: Props) {
  const { t } = useTranslation('kiosk');
  const view = upsStatus(ups);
  return (
    <article
      className={`kiosk-single tone-border-${view.tone} ${view.freshness !== 'live' ? 'is-stale' : ''}`}
      data-testid="kiosk-ups"
      data-ups-id={ups.id}
      aria-label={statusAriaLabel(ups.displayName, view)}
    >
      <header className="kiosk-single-head">
        <h1>{ups.displayName}</h1>
        <StatusBadge ups={ups} size="large" />
      </header>
      {ups.model && <p className="kiosk-model">{ups.model}</p>}
      <LastKnownLine ups={ups} className="kiosk-last-known" />
      <div className="kiosk-charge">
        <span className="kiosk-big" data-testid="kiosk-charge">
          {formatPercent(ups.batteryCharge)}
        </span>
        <span className="kiosk-big-label">{t('battery')}</span>
      </div>
      <ChargeBar charge={ups.batteryCharge} showValue={false} label={t('chargeOf', { name: ups.displayName })} />
      <KeyReadings ups={ups} className="kiosk-metrics">
        <div>
          <dt>{t('output')}</dt>
          <dd>{formatVolts(ups.outputVoltage)}</dd>
        </div>
        {ups.temperature !== null && ups.temperature !== undefined && (
          <div>
            <dt>{t('temperature')}</dt>
            <dd>{formatTemperature(ups.temperature)}</dd>
          </div>
        )}
      </KeyReadings>
      {view.freshness === 'live' && (
        <p className="kiosk-updated">
          {t('updated')} <TimeAgo iso={ups.lastUpdated} />
        </p>
      )}
    </article>
  );
});
