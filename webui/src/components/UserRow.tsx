import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { deleteUser, resetPassword, resetTwoFactor, updateUser } from '../api/endpoints';
import { getToken, setSession } from '../api/session';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/format';
import type { Role, User } from '../types';
import { Notice } from './Notice';
import { ROLE_LABEL_KEYS, ROLE_ORDER } from '../lib/roles';

interface Props {
  user: User;
  isSelf: boolean;
}

/** One user with role change, password reset and delete; API errors (last admin…) shown as given. */
export function UserRow({ user, isSelf }: Props) {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [done, setDone] = useState('');
  const onSuccess = (msg: string) => {
    setDone(msg);
    void client.invalidateQueries({ queryKey: keys.users });
  };
  const role = useMutation({ mutationFn: (r: Role) => updateUser(user.id, { role: r }), onSuccess: (res) => onSuccess(`${res.message}: ${t('users.nowRole', { name: user.username, role: t(ROLE_LABEL_KEYS[res.user.role]) })}`) });
  const reset = useMutation({
    mutationFn: () => resetPassword(user.id, password),
    onSuccess: (res) => {
      // Resetting your own password revokes your token; the api hands a new one.
      if (res.token && getToken()) setSession(res.token, res.user);
      setResetting(false);
      setPassword('');
      onSuccess(res.message || t('users.passwordReset'));
    },
  });
  const remove = useMutation({ mutationFn: () => deleteUser(user.id), onSuccess: (res) => onSuccess(res.message) });
  const resetFactor = useMutation({ mutationFn: () => resetTwoFactor(user.id), onSuccess: (res) => onSuccess(res.message) });
  const error = role.error ?? reset.error ?? remove.error ?? resetFactor.error;

  const submitReset = (e: FormEvent) => {
    e.preventDefault();
    reset.mutate();
  };
  return (
    <tr data-testid="user-row" data-username={user.username}>
      <td data-label={t('auth:username')}>
        <span>
          {user.username}
          {isSelf && <span className="muted small"> {t('users.you')}</span>}
          {user.twoFactor && <span className="muted small"> · {t('users.twoFactorOn')}</span>}
          {user.sso && <span className="muted small"> · {t('users.sso')}</span>}
        </span>
      </td>
      <td data-label={t('account.email')}>
        <span>{user.email || '–'}</span>
      </td>
      <td data-label={t('account.role')}>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
          {t('users.roleOf', { name: user.username })}
        </label>
        <select id={`role-${user.id}`} value={user.role} disabled={role.isPending} onChange={(e) => role.mutate(e.target.value as Role)}>
          {ROLE_ORDER.map((r) => (
            <option key={r} value={r}>
              {t(ROLE_LABEL_KEYS[r])}
            </option>
          ))}
        </select>
      </td>
      <td data-label={t('users.created')}>
        <span>{formatDateTime(user.created_at)}</span>
      </td>
      <td className="stack-block" data-label={t('users.actions')}>
        <div className="button-row">
          {resetting ? (
            <form onSubmit={submitReset} className="inline-form">
              <label className="visually-hidden" htmlFor={`pw-${user.id}`}>
                {t('users.newPasswordFor', { name: user.username })}
              </label>
              <input id={`pw-${user.id}`} type="password" autoComplete="new-password" minLength={8} required placeholder={t('account.newPassword')} value={password} onChange={(e) => setPassword(e.target.value)} />
              <button type="submit" disabled={reset.isPending}>
                {t('users.setPassword')}
              </button>
              <button type="button" className="button-secondary" onClick={() => setResetting(false)}>
                {t('common:actions.cancel')}
              </button>
            </form>
          ) : (
            <button type="button" className="button-secondary" onClick={() => setResetting(true)} aria-label={t('users.resetOf', { name: user.username })}>
              {t('users.reset')}
            </button>
          )}
          {user.twoFactor && (
            <button type="button" className="button-secondary" onClick={() => resetFactor.mutate()} disabled={resetFactor.isPending} aria-label={t('users.resetTwoFactorOf', { name: user.username })}>
              {t('users.resetTwoFactor')}
            </button>
          )}
          {confirmDelete ? (
            <>
              <button type="button" className="button-danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
                {t('common:actions.deleteWhat', { what: user.username })}
              </button>
              <button type="button" className="button-secondary" onClick={() => setConfirmDelete(false)}>
                {t('common:actions.keep')}
              </button>
            </>
          ) : (
            <button type="button" className="button-danger-outline" onClick={() => setConfirmDelete(true)} aria-label={t('common:actions.deleteWhat', { what: user.username })}>
              {t('common:actions.delete')}
            </button>
          )}
        </div>
        {error && <Notice kind="error" error={error} />}
        {done && !error && <span className="muted small">{done}</span>}
      </td>
    </tr>
  );
}
