import { useTranslation } from 'react-i18next';
import { groupChoices, type GroupFilter, type Grouping } from '../lib/groups';

interface Props {
  list: readonly { site: string | null; tags: readonly string[] }[];
  filter: GroupFilter;
  onChange: (filter: GroupFilter) => void;
  /** The dashboard's sections; left out, no "Group by" choice is shown. */
  grouping?: Grouping;
  onGrouping?: (grouping: Grouping) => void;
}

/** Site and tag choices over a UPS list, and the dashboard's Group by. */
export function GroupFilterBar({ list, filter, onChange, grouping, onGrouping }: Props) {
  const { t } = useTranslation('dashboard');
  const choices = groupChoices(list);
  const filtered = filter.sites.length > 0 || filter.tags.length > 0;
  // Hidden while nothing has a site or a tag, unless a filter is set (an old bookmark): then
  // "Show all" must stay reachable.
  if (!choices.sites.length && !choices.tags.length && !filtered) return null;
  const site = filter.sites.length === 1 ? filter.sites[0] : filter.sites.length ? '*several*' : '';
  const toggleTag = (tag: string) =>
    onChange({ ...filter, tags: filter.tags.includes(tag) ? filter.tags.filter((t) => t !== tag) : [...filter.tags, tag] });
  return (
    <div className="group-filter" role="group" aria-label={t('filter.label')}>
      {choices.sites.length > 0 && (
        <label>
          {t('filter.site')}{' '}
          <select value={site} onChange={(e) => onChange({ ...filter, sites: e.target.value ? [e.target.value] : [] })}>
            <option value="">{t('filter.allSites')}</option>
            {site === '*several*' && <option value="*several*">{filter.sites.join(', ')}</option>}
            {choices.sites.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      {choices.tags.length > 0 && (
        <span className="tag-choices">
          <span className="muted small">{t('filter.tags')}</span>
          {choices.tags.map((tag) => (
            <button key={tag} type="button" className="tag-chip" aria-pressed={filter.tags.includes(tag)} onClick={() => toggleTag(tag)}>
              {tag}
            </button>
          ))}
        </span>
      )}
      {grouping && onGrouping && (
        <label>
          {t('filter.groupBy')}{' '}
          <select value={grouping} onChange={(e) => onGrouping(e.target.value as Grouping)}>
            <option value="site">{t('filter.bySite')}</option>
            <option value="tag">{t('filter.byTag')}</option>
            <option value="none">{t('filter.byNothing')}</option>
          </select>
        </label>
      )}
      {filtered && (
        <button type="button" className="button-secondary small" onClick={() => onChange({ sites: [], tags: [] })}>
          {t('filter.showAll')}
        </button>
      )}
    </div>
  );
}
