import { useTranslation } from 'react-i18next';
import { formatBucket, formatKwh, formatMoney, formatShare, type EnergyBar, type EnergyGroup } from '../../lib/reports';

interface Props {
  bars: readonly EnergyBar[];
  group: EnergyGroup;
  currency: string | null;
  label: string;
}

/**
 * kWh per day or month as bars (HTML: follows the theme, reads at 375 px). A bucket without readings is a
 * hatched "unknown" bar, never a zero; a partly covered one is lighter.
 */
export function EnergyBars({ bars, group, currency, label }: Props) {
  const { t } = useTranslation('reports');
  const max = bars.reduce((m, b) => (b.kwh !== null && b.kwh > m ? b.kwh : m), 0);
  return (
    <figure className="energy-chart">
      <ul className="energy-bars" aria-label={label}>
        {bars.map((b) => {
          const when = formatBucket(b.key, group);
          const quality = b.kwh === null ? 'unknown' : b.coverage >= 1 ? 'full' : 'partial';
          const parts = b.kwh === null ? [t('energy.unknown')] : [formatKwh(b.kwh), b.cost !== null ? formatMoney(b.cost, currency) : '', quality === 'partial' ? t('energy.covered', { share: formatShare(b.coverage) }) : ''];
          const text = `${when}: ${parts.filter(Boolean).join(' · ')}`;
          const height = b.kwh === null || max <= 0 ? 100 : Math.max(2, (b.kwh / max) * 100);
          return (
            <li key={b.key} className={`energy-bar energy-bar-${quality}`} data-bucket={b.key} title={text}>
              <span className="energy-bar-fill" style={{ height: `${height}%` }} />
              <span className="visually-hidden">{text}</span>
            </li>
          );
        })}
      </ul>
      <div className="energy-axis" aria-hidden="true">
        <span>{bars.length ? formatBucket(bars[0].key, group) : ''}</span>
        <span>{bars.length ? formatBucket(bars[bars.length - 1].key, group) : ''}</span>
      </div>
      <figcaption className="energy-key muted small">
        <span className="energy-swatch energy-bar-full" aria-hidden="true" /> {t('energy.keyFull')}{' '}
        <span className="energy-swatch energy-bar-partial" aria-hidden="true" /> {t('energy.keyPartial')}{' '}
        <span className="energy-swatch energy-bar-unknown" aria-hidden="true" /> {t('energy.keyUnknown')}
      </figcaption>
    </figure>
  );
}
