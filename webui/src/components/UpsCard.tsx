import { memo } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Ups } from '../types';
import { statusAriaLabel, upsStatus } from '../lib/status';
import { ChargeBar } from './ChargeBar';
import { KeyReadings } from './KeyReadings';
import { LastKnownLine } from './LastKnownLine';
import { MutedNotice } from './MutedNotice';
import { StatusBadge } from './StatusBadge';
import { TimeAgo } from './TimeAgo';

interface Props {
  ups: Ups;
  selected: boolean;
  kioskChecked: boolean;
  onSelect: (id: number) => void;
  onKioskToggle: (id: number, checked: boolean) => void;
  /** Its open alerts, and how many of them nobody has acknowledged yet. */
  openAlerts?: number;
  unacknowledgedAlerts?: number;
}

function OpenAlertsLine({ open, unacknowledged }: { open: number; unacknowledged: number }) {
  const { t } = useTranslation('dashboard');
  if (!open) return null;
  const ack = unacknowledged ? (unacknowledged === open ? t('card.noneAcknowledged', { count: open }) : t('card.someUnacknowledged', { count: unacknowledged })) : t('card.acknowledged', { count: open });
  return (
    <p className={`small open-alerts ${unacknowledged ? 'tone-text-critical' : 'muted'}`} data-testid="open-alerts">
      ⚠ {t('card.openAlerts', { count: open })}
      {ack}
    </p>
  );
}

/**
 * Renders per UPS id. The unit test, the e2e test and the benchmark read it (the latter two
 * through `window.__powerpulseRenderCounts`) to prove a live update re-renders only its card.
 */
export const renderCounts = new Map<number, number>();
if (typeof window !== 'undefined') {
  (window as unknown as { __powerpulseRenderCounts: Map<number, number> }).__powerpulseRenderCounts = renderCounts;
}

/**
 * One UPS on the dashboard. Memoised: the list passes stable callbacks and the cache keeps
 * unchanged UPS objects identical, so a live update re-renders only this card.
 */
export const UpsCard = memo(function UpsCard({ ups, selected, kioskChecked, onSelect, onKioskToggle, openAlerts = 0, unacknowledgedAlerts = 0 }: Props) {
  const { t } = useTranslation('dashboard');
  renderCounts.set(ups.id, (renderCounts.get(ups.id) ?? 0) + 1);
  const view = upsStatus(ups);
  const err = view.freshness === 'live' ? '' : errorText(ups);
  return (
    <article
      className={`ups-card tone-border-${view.tone} ${selected ? 'selected' : ''} ${view.freshness !== 'live' ? 'is-stale' : ''}`}
      data-testid="ups-card"
      data-ups-id={ups.id}
      aria-label={statusAriaLabel(ups.displayName, view)}
    >
      <div className="ups-card-head">
        <button type="button" className="linklike ups-card-name" aria-pressed={selected} onClick={() => onSelect(ups.id)}>
          {ups.displayName}
        </button>
        <StatusBadge ups={ups} />
      </div>
      <LastKnownLine ups={ups} />
      <MutedNotice ups={ups} />
      <OpenAlertsLine open={openAlerts} unacknowledged={unacknowledgedAlerts} />
      <ChargeBar charge={ups.batteryCharge} label={t('card.chargeOf', { name: ups.displayName })} />
      <KeyReadings ups={ups} className="ups-card-metrics" />
      {err && (
        <p className="ups-card-error" role="note">
          {err}
        </p>
      )}
      <div className="ups-card-foot">
        <span className="muted small">
          {/* Not live: the last known line carries the time ("Updated just now" would read as fresh). */}
          {view.freshness === 'live' && (
            <>
              {t('card.updated')} <TimeAgo iso={ups.lastUpdated} />
            </>
          )}
        </span>
        <span className="ups-card-actions">
          <label className="small">
            <input type="checkbox" checked={kioskChecked} onChange={(e) => onKioskToggle(ups.id, e.target.checked)} /> {t('card.kiosk')}
          </label>
          <Link to={`/ups-systems/${ups.id}`} className="small" aria-label={t('card.detailsOf', { name: ups.displayName })}>
            {t('card.details')}
          </Link>
        </span>
      </div>
    </article>
  );
});

export function errorText(ups: Pick<Ups, 'error'>): string {
  const e = ups.error;
  if (!e) return '';
  if (typeof e === 'string') return e;
  return e.message ?? e.code ?? '';
}
