import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client';
import { browserTimeZone, energyBars, energyPath, isoSeconds, lastDays, localDayStart, rawHistoryPath } from '../../lib/reports';
import { downloadExport, getEnergy, reportsKeys } from '../../lib/reportsApi';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { EnergyBars } from './EnergyBars';
import { EnergyTotal } from './EnergyTotal';
import '../../styles/reports.css';

const DAYS = 30;

/** One UPS's energy per day over the last 30 days, and its raw samples of that period as a CSV file. */
export function UpsEnergy({ upsId }: { upsId: number }) {
  const { t } = useTranslation('reports');
  // Fixed at mount: a moving "now" would make a new query key on every render.
  const [period] = useState(() => {
    const keys = lastDays(DAYS);
    return { keys, from: isoSeconds(localDayStart(keys[0]) ?? Date.now()), to: isoSeconds(Date.now()) };
  });
  const path = energyPath({ group: 'day', from: period.from, to: period.to, tz: browserTimeZone(), ups: String(upsId) });
  const query = useQuery({ queryKey: reportsKeys.energy(path), queryFn: () => getEnergy(path) });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const download = async () => {
    setBusy(true);
    setError('');
    try {
      await downloadExport(rawHistoryPath(upsId, period.from, period.to, 'csv'), 'csv', { stem: `ups-${upsId}-samples`, from: period.from, to: period.to });
    } catch (err) {
      setError(t('export.failed', { message: errorMessage(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel energy-panel" aria-labelledby={`ups-energy-${upsId}`} data-testid="ups-energy">
      <div className="page-head">
        <h2 id={`ups-energy-${upsId}`}>{t('upsEnergy.title')}</h2>
        <button type="button" className="button-secondary" disabled={busy} onClick={() => void download()}>
          {busy ? t('export.downloading') : t('upsEnergy.rawCsv')}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {query.isPending && <Loading label={t('energy.loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && (
        <>
          <EnergyTotal summary={query.data} />
          <EnergyBars bars={energyBars(query.data.rows, period.keys)} group="day" currency={query.data.currency} label={t('energy.chartLabel.day')} />
        </>
      )}
    </section>
  );
}
export default UpsEnergy;
