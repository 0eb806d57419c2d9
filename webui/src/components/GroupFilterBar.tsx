import { groupChoices, type GroupFilter } from '../lib/groups';

interface Props {
  list: readonly { site: string | null; tags: readonly string[] }[];
  filter: GroupFilter;
  onChange: (filter: GroupFilter) => void;
}

/** Site and tag choices over a UPS list; nothing when no UPS has a site or a tag. */
export function GroupFilterBar({ list, filter, onChange }: Props) {
  const choices = groupChoices(list);
  if (!choices.sites.length && !choices.tags.length) return null;
  const site = filter.sites.length === 1 ? filter.sites[0] : filter.sites.length ? '*several*' : '';
  const toggleTag = (tag: string) =>
    onChange({ ...filter, tags: filter.tags.includes(tag) ? filter.tags.filter((t) => t !== tag) : [...filter.tags, tag] });
  return (
    <div className="group-filter" role="group" aria-label="Filter by site and tag">
      {choices.sites.length > 0 && (
        <label>
          Site{' '}
          <select value={site} onChange={(e) => onChange({ ...filter, sites: e.target.value ? [e.target.value] : [] })}>
            <option value="">All sites</option>
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
          <span className="muted small">Tags</span>
          {choices.tags.map((tag) => (
            <button key={tag} type="button" className="tag-chip" aria-pressed={filter.tags.includes(tag)} onClick={() => toggleTag(tag)}>
              {tag}
            </button>
          ))}
        </span>
      )}
      {(filter.sites.length > 0 || filter.tags.length > 0) && (
        <button type="button" className="button-secondary small" onClick={() => onChange({ sites: [], tags: [] })}>
          Show all
        </button>
      )}
    </div>
  );
}
