import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { setUpsTags } from '../api/endpoints';
import { keys } from '../api/keys';
import { splitList } from '../lib/groups';
import type { Ups } from '../types';
import { Notice } from './Notice';

interface Props {
  ups: Ups;
  canEdit: boolean;
}

/** A UPS's site and tags; an admin edits the tags as a comma-separated list (the API checks
 * them and its message is shown as it is). */
export function TagEditor({ ups, canEdit }: Props) {
  const { t } = useTranslation('upsPage');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const mutation = useMutation({
    mutationFn: (tags: string[]) => setUpsTags(ups.id, tags),
    onSuccess: (saved) => {
      const patch = (u: Ups) => (u.id === ups.id ? { ...u, tags: saved.tags } : u);
      client.setQueryData<Ups>(keys.ups(ups.id), (u) => (u ? patch(u) : u));
      client.setQueryData<Ups[]>(keys.upsList, (list) => list?.map(patch));
      void client.invalidateQueries({ queryKey: keys.upsList });
      setEditing(false);
    },
  });
  const start = () => {
    setValue(ups.tags.join(', '));
    mutation.reset();
    setEditing(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate(splitList(value));
  };
  return (
    <div className="ups-groups" data-testid="ups-groups">
      <span className="muted small">{t('dashboard:filter.site')}</span> <span data-testid="ups-site">{ups.site ?? t('tags.none')}</span>
      {' · '}
      <span className="muted small">{t('dashboard:filter.tags')}</span>{' '}
      {!editing && (
        <>
          {ups.tags.length ? (
            <ul className="tag-list" aria-label={t('dashboard:filter.tags')}>
              {ups.tags.map((tag) => (
                <li key={tag}>{tag}</li>
              ))}
            </ul>
          ) : (
            <span className="muted">{t('tags.none')}</span>
          )}
          {canEdit && (
            <button type="button" className="icon-button" onClick={start} aria-label={t('tags.editOf', { name: ups.displayName })}>
              <span aria-hidden="true">✎</span> {t('dashboard:filter.tags')}
            </button>
          )}
        </>
      )}
      {editing && (
        <form className="tag-form" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
          <label htmlFor="tags-input" className="visually-hidden">
            {t('tags.label')}
          </label>
          <input id="tags-input" value={value} autoFocus placeholder={t('tags.placeholder')} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" disabled={mutation.isPending}>
            {t('common:actions.save')}
          </button>
          <button type="button" className="button-secondary" onClick={() => setEditing(false)}>
            {t('common:actions.cancel')}
          </button>
          {mutation.isError && <Notice kind="error" error={mutation.error} />}
        </form>
      )}
    </div>
  );
}
