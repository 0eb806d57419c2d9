import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportFilter } from '../../lib/reports';
import type { Ups } from '../../types';

interface Props {
  filter: ReportFilter;
  upsList: readonly Ups[];
  onChange: (filter: ReportFilter) => void;
}

/** UPS, site and days: one filter for the outages, the timeline, the energy and the exports. */
export function ReportFilters({ filter, upsList, onChange }: Props) {
  const { t } = useTranslation('reports');
  const id = useId();
  const sites = [...new Set(upsList.map((u) => u.site).filter((s): s is string => !!s))].sort();
  const set = (patch: Partial<ReportFilter>) => onChange({ ...filter, ...patch });
  return (
    <form className="reports-filters panel" aria-label={t('filters.label')} onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-ups`}>{t('filters.ups')}</label>
        <select id={`${id}-ups`} value={filter.ups} onChange={(e) => set({ ups: e.target.value })}>
          <option value="">{t('filters.allUps')}</option>
          {upsList.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.displayName || u.upsName}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-site`}>{t('filters.site')}</label>
        <select id={`${id}-site`} value={filter.site} onChange={(e) => set({ site: e.target.value })}>
          <option value="">{t('filters.allSites')}</option>
          {sites.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field narrow-date">
        <label htmlFor={`${id}-from`}>{t('filters.from')}</label>
        <input id={`${id}-from`} type="date" value={filter.from} max={filter.to || undefined} onChange={(e) => set({ from: e.target.value })} />
      </div>
      <div className="field narrow-date">
        <label htmlFor={`${id}-to`}>{t('filters.to')}</label>
        <input id={`${id}-to`} type="date" value={filter.to} min={filter.from || undefined} onChange={(e) => set({ to: e.target.value })} />
      </div>
      <div className="reports-filters-reset">
        <button type="button" className="button-secondary" onClick={() => onChange({ ups: '', site: '', from: '', to: '' })}>
          {t('filters.reset')}
        </button>
      </div>
    </form>
  );
}
