import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
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
      <span className="muted small">Site</span> <span data-testid="ups-site">{ups.site ?? 'none'}</span>
      {' · '}
      <span className="muted small">Tags</span>{' '}
      {!editing && (
        <>
          {ups.tags.length ? (
            <ul className="tag-list" aria-label="Tags">
              {ups.tags.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          ) : (
            <span className="muted">none</span>
          )}
          {canEdit && (
            <button type="button" className="icon-button" onClick={start} aria-label={`Edit tags of ${ups.displayName}`}>
              <span aria-hidden="true">✎</span> Tags
            </button>
          )}
        </>
      )}
      {editing && (
        <form className="tag-form" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
          <label htmlFor="tags-input" className="visually-hidden">
            Tags, separated by commas
          </label>
          <input id="tags-input" value={value} autoFocus placeholder="rack-a, core" onChange={(e) => setValue(e.target.value)} />
          <button type="submit" disabled={mutation.isPending}>
            Save
          </button>
          <button type="button" className="button-secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {mutation.isError && <Notice kind="error" error={mutation.error} />}
        </form>
      )}
    </div>
  );
}
