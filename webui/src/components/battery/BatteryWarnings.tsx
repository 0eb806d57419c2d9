import { useMemo } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import '../../styles/battery.css';
import { batteryWarnings, todayLocal, warningText } from '../../lib/battery';
import { getFleetBattery } from '../../api/endpoints';
import { keys } from '../../api/keys';

interface Props {
  /** The UPS the dashboard shows (its site/tag filter); every UPS when not given. */
  upsIds?: readonly number[];
}

/**
 * The dashboard's battery warnings: a UPS whose battery is past its expected life, whose last
 * self-test failed, or whose health is poor, each linking to its Battery tab. Nothing at all when
 * there is nothing to say, or when the list cannot be read (the dashboard is about live state).
 */
export function BatteryWarnings({ upsIds }: Props) {
  const { t } = useTranslation('battery');
  const query = useQuery({ queryKey: keys.batteryFleet, queryFn: getFleetBattery, refetchInterval: 300_000, retry: false });
  const ids = useMemo(() => (upsIds ? new Set(upsIds) : undefined), [upsIds]);
  const shown = batteryWarnings(query.data, todayLocal(), ids);
  if (shown.length === 0) return null;
  return (
    <section className="battery-warnings" aria-label={t('warnings.label')} data-testid="battery-warnings">
      <span className="battery-warnings-title" aria-hidden="true">
        ⚠ {t('warnings.title')}
      </span>
      <ul>
        {shown.map(({ battery: b, codes }) => (
          <li key={b.upsId} data-testid="battery-warning" data-warnings={codes.join(' ')}>
            <Link to={`/ups-systems/${b.upsId}?tab=battery`}>
              <strong>{b.displayName}</strong>: {codes.map((w) => warningText(w, b)).join(' · ')}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
