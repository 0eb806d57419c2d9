import { useTranslation } from 'react-i18next';
import { chargeBand, formatPercent } from '../lib/format';

interface Props {
  charge: number | null | undefined;
  label?: string;
  showValue?: boolean;
}

/** Battery charge as a bar with its value in words next to it. */
export function ChargeBar({ charge, label, showValue = true }: Props) {
  const { t } = useTranslation('dashboard');
  const band = chargeBand(charge);
  const pct = typeof charge === 'number' ? Math.max(0, Math.min(100, charge)) : 0;
  return (
    <div className="charge">
      <div
        className={`charge-track band-${band}`}
        role="progressbar"
        aria-label={label ?? t('readings.batteryCharge')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={typeof charge === 'number' ? Math.round(charge) : undefined}
        aria-valuetext={typeof charge === 'number' ? formatPercent(charge) : t('common:state.unknown')}
      >
        <div className="charge-fill" style={{ width: `${pct}%` }} />
      </div>
      {showValue && <span className="charge-value">{formatPercent(charge)}</span>}
    </div>
  );
}
