import { useTranslation } from 'react-i18next';
import { coverageText, formatKwh, formatMoney, type EnergySummary } from '../../lib/reports';

/** The period's total: kWh, cost when a tariff is set, and how much of it was measured or estimated. */
export function EnergyTotal({ summary }: { summary: EnergySummary }) {
  const { t } = useTranslation('reports');
  const { total } = summary;
  return (
    <div className="energy-total" data-testid="energy-total">
      <p className="energy-total-main">
        <strong>{total.kwh === null ? t('energy.unknown') : formatKwh(total.kwh)}</strong>
        {total.cost !== null && summary.pricePerKwh !== null && (
          <span> · {t('energy.cost', { cost: formatMoney(total.cost, summary.currency), price: formatMoney(summary.pricePerKwh, summary.currency) })}</span>
        )}
      </p>
      <p className="muted small" data-testid="energy-coverage">
        {coverageText(total)}
      </p>
      {summary.pricePerKwh === null && <p className="muted small">{t('energy.noTariff')}</p>}
    </div>
  );
}
