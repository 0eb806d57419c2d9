import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { healthReasonText, healthStateText, healthTone, trendText } from '../../lib/battery';
import type { Health } from '../../lib/batteryTypes';
import { formatDate, formatNumber, formatPercent, MISSING } from '../../lib/format';
import { Loading } from '../Loading';
import { BatteryBadge } from './BatteryBadge';

// uPlot is its own chunk (the history charts load it too): the tab opens without waiting for it.
const HealthChart = lazy(() => import('./HealthChart'));

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The health estimate: a state, a score with its confidence, the runtime against the UPS's own past, the trend. */
export function BatteryHealthPanel({ health }: { health: Health }) {
  const { t } = useTranslation('battery');
  const h = health;
  const unknown = h.state === 'unknown';
  const points = h.points;
  return (
    <section className="panel battery-health" aria-labelledby="battery-health-title" data-testid="battery-health">
      <div className="battery-head">
        <h2 id="battery-health-title">{t('health.title')}</h2>
        <BatteryBadge tone={healthTone(h.state)} text={healthStateText(h.state)} state={h.state} />
      </div>
      {unknown ? (
        <p className="muted" data-testid="health-reason">
          {healthReasonText(h.reason)}
        </p>
      ) : (
        <dl className="battery-facts">
          <div>
            <dt>{t('health.score')}</dt>
            <dd>{isNum(h.score) ? t('health.scoreValue', { score: formatNumber(h.score, 0) }) : MISSING}</dd>
          </div>
          <div>
            <dt>{t('health.confidence')}</dt>
            <dd>{h.confidence ? t(`confidence.${h.confidence}`) : MISSING}</dd>
          </div>
          <div>
            <dt>{t('health.runtimeRatio')}</dt>
            <dd>
              {isNum(h.runtimeRatio) ? t('health.ratioValue', { value: formatPercent(h.runtimeRatio * 100) }) : MISSING}
              {isNum(h.referenceLoad) && <span className="muted small"> {t('health.atLoad', { load: formatPercent(h.referenceLoad) })}</span>}
            </dd>
          </div>
          <div>
            <dt>{t('health.trend')}</dt>
            <dd>{trendText(h.trendPerYear)}</dd>
          </div>
          <div>
            <dt>{t('health.replaceBy')}</dt>
            <dd data-testid="health-replace-by">{h.replaceBy ? formatDate(h.replaceBy) : t('health.noForecast')}</dd>
          </div>
        </dl>
      )}
      {points.length >= 2 && (
        <Suspense fallback={<Loading label={t('health.loadingChart')} />}>
          <HealthChart points={points} />
        </Suspense>
      )}
      <p className="muted small">{t('health.explain')}</p>
    </section>
  );
}
