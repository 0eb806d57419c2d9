import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../lib/format';
import {
  ENERGY_GROUPS,
  browserTimeZone,
  coverageText,
  energyBars,
  energyPath,
  energyRange,
  formatBucket,
  formatKwh,
  formatMoney,
  type EnergyGroup,
  type ReportFilter,
} from '../../lib/reports';
import { getEnergy, reportsKeys } from '../../lib/reportsApi';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { EnergyBars } from './EnergyBars';
import { EnergyTotal } from './EnergyTotal';

/** kWh by UPS, site, day or month over the filter's days (else the last 30), in the browser's time zone. */
export function EnergySection({ filter }: { filter: ReportFilter }) {
  const { t } = useTranslation('reports');
  const id = useId();
  const [group, setGroup] = useState<EnergyGroup>('ups');
  // The period is fixed when the filter changes, not on every render (a moving `to` would refetch forever).
  const [now] = useState(() => Date.now());
  const { from, to } = energyRange(filter, now);
  const tz = browserTimeZone();
  const path = energyPath({ group, from, to, tz, ups: filter.ups, site: filter.site });
  const query = useQuery({ queryKey: reportsKeys.energy(path), queryFn: () => getEnergy(path) });
  const data = query.data;
  const timed = group === 'day' || group === 'month';
  return (
    <section className="panel reports-section" aria-labelledby="reports-energy">
      <div className="page-head">
        <h2 id="reports-energy">{t('energy.title')}</h2>
        <div role="group" aria-labelledby={`${id}-by`} className="reports-group">
          <span id={`${id}-by`} className="field-label">
            {t('energy.by')}
          </span>
          <div className="segmented">
            {ENERGY_GROUPS.map((g) => (
              <button key={g} type="button" aria-pressed={group === g} onClick={() => setGroup(g)}>
                {t(`energy.group.${g}`)}
              </button>
            ))}
          </div>
        </div>
      </div>
      <p className="muted small">{t('energy.period', { from: formatDateTime(from), to: formatDateTime(to), tz })}</p>
      {query.isPending && <Loading label={t('energy.loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {data && (
        <>
          <EnergyTotal summary={data} />
          {data.rows.length === 0 ? (
            <p className="muted">{t('energy.empty')}</p>
          ) : (
            <>
              {timed && data.rows.length > 1 && <EnergyBars bars={energyBars(data.rows)} group={group} currency={data.currency} label={t(`energy.chartLabel.${group}`)} />}
              <div className="table-wrap">
                <table className="reports-table" data-testid="energy-table">
                  <thead>
                    <tr>
                      <th scope="col">{t(`energy.group.${group}`)}</th>
                      <th scope="col">{t('energy.col.kwh')}</th>
                      {data.pricePerKwh !== null && <th scope="col">{t('energy.col.cost')}</th>}
                      <th scope="col">{t('energy.col.coverage')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.rows.map((r) => (
                      <tr key={r.key} data-testid="energy-row">
                        <td>{timed ? formatBucket(r.key, group) : group === 'site' && r.key === '' ? t('energy.noSite') : r.label || r.key}</td>
                        <td>{r.kwh === null ? t('energy.unknown') : formatKwh(r.kwh)}</td>
                        {data.pricePerKwh !== null && <td>{formatMoney(r.cost, data.currency)}</td>}
                        <td className="small">{coverageText(r)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
