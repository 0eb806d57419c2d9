import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUpsList } from '../hooks/useUpsList';
import { EMPTY_FILTER, type ReportFilter } from '../lib/reports';
import { ReportFilters } from '../components/reports/ReportFilters';
import { OutagesSection } from '../components/reports/OutagesSection';
import { TimelineSection } from '../components/reports/TimelineSection';
import { EnergySection } from '../components/reports/EnergySection';
import '../styles/reports.css';

const TABS = ['outages', 'timeline', 'energy'] as const;
type Tab = (typeof TABS)[number];

/** Reports: outage records, the fleet's event timeline and energy, under one filter, each exportable. */
export default function ReportsPage() {
  const { t } = useTranslation('reports');
  const ups = useUpsList();
  const [filter, setFilter] = useState<ReportFilter>(EMPTY_FILTER);
  const [tab, setTab] = useState<Tab>('outages');
  return (
    <div className="page reports-page">
      <h1>{t('title')}</h1>
      <ReportFilters filter={filter} upsList={ups.data ?? []} onChange={setFilter} />
      <div role="tablist" aria-label={t('sections')} className="segmented reports-tabs">
        {TABS.map((k) => (
          <button key={k} type="button" role="tab" id={`reports-tab-${k}`} aria-selected={tab === k} aria-controls={`reports-panel-${k}`} onClick={() => setTab(k)}>
            {t(`tabs.${k}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`reports-panel-${tab}`} aria-labelledby={`reports-tab-${tab}`}>
        {tab === 'outages' && <OutagesSection filter={filter} />}
        {tab === 'timeline' && <TimelineSection filter={filter} />}
        {tab === 'energy' && <EnergySection key={JSON.stringify(filter)} filter={filter} />}
      </div>
    </div>
  );
}
