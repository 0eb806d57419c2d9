import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { setNickname } from '../api/endpoints';
import { keys } from '../api/keys';
import type { Ups } from '../types';
import { Notice } from './Notice';

interface Props {
  ups: Ups;
}

/** The UPS name as a heading, editable in place (Enter saves, Escape cancels). */
export function NicknameEditor({ ups }: Props) {
  const { t } = useTranslation('upsPage');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(ups.nickname ?? '');
  const mutation = useMutation({
    mutationFn: (nickname: string) => setNickname(ups.id, nickname),
    onSuccess: (_res, nickname) => {
      const displayName = nickname.trim() || ups.name;
      const patch = (u: Ups) => (u.id === ups.id ? { ...u, nickname: nickname.trim() || null, displayName } : u);
      client.setQueryData<Ups>(keys.ups(ups.id), (u) => (u ? patch(u) : u));
      client.setQueryData<Ups[]>(keys.upsList, (list) => list?.map(patch));
      void client.invalidateQueries({ queryKey: keys.upsList });
      void client.invalidateQueries({ queryKey: keys.ups(ups.id), exact: true });
      setEditing(false);
    },
  });

  const start = () => {
    setValue(ups.nickname ?? '');
    mutation.reset();
    setEditing(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate(value);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setEditing(false);
  };

  if (!editing) {
    return (
      <div className="nickname">
        <h1 data-testid="ups-title">{ups.displayName}</h1>
        <button type="button" className="icon-button" onClick={start} aria-label={t('nickname.editOf', { name: ups.displayName })}>
          <span aria-hidden="true">✎</span> {t('nickname.rename')}
        </button>
      </div>
    );
  }
  return (
    <form className="nickname editing" onSubmit={submit} onKeyDown={onKey}>
      <label htmlFor="nickname-input" className="visually-hidden">
        {t('nickname.label')}
      </label>
      <input id="nickname-input" value={value} maxLength={255} autoFocus placeholder={ups.name} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" disabled={mutation.isPending}>
        {t('common:actions.save')}
      </button>
      <button type="button" className="button-secondary" onClick={() => setEditing(false)}>
        {t('common:actions.cancel')}
      </button>
      {mutation.isError && <Notice kind="error" error={mutation.error} />}
      <span className="muted small">{t('nickname.hint', { name: ups.name })}</span>
    </form>
  );
}
