import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listUsers, registerUser, updateUser } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { useSession } from '../../hooks/useSession';
import type { Role } from '../../types';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { UserRow } from '../../components/UserRow';
import { ROLE_LABEL_KEYS, ROLE_ORDER } from '../../lib/roles';

function AddUserForm({ onDone }: { onDone: (msg: string) => void }) {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const mutation = useMutation({
    mutationFn: async () => {
      const res = await registerUser({ username: username.trim(), email: email.trim() || undefined, password, role });
      // Older servers ignore the role on register: promote afterwards when asked for an admin.
      if (role === 'admin' && res.user?.role !== 'admin') await updateUser(res.user.id, { role: 'admin' });
      return res;
    },
    onSuccess: (res) => {
      void client.invalidateQueries({ queryKey: keys.users });
      onDone(`${res.message}: ${res.user?.username ?? username}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };
  return (
    <form className="panel settings-form" onSubmit={submit} aria-labelledby="add-user-title">
      <h2 id="add-user-title">{t('users.addTitle')}</h2>
      <div className="row">
        <Field label={t('auth:username')} name="new-username" required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field label={t('users.emailOptional')} name="new-email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="row">
        <Field label={t('auth:password')} name="new-password" type="password" required minLength={8} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <div className="field narrow">
          <label htmlFor="new-role">{t('account.role')}</label>
          <select id="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLE_ORDER.map((r) => (
              <option key={r} value={r}>
                {t(ROLE_LABEL_KEYS[r])}
              </option>
            ))}
          </select>
        </div>
      </div>
      {mutation.isError && <Notice kind="error" error={mutation.error} />}
      <button type="submit" disabled={mutation.isPending}>
        {t('users.add')}
      </button>
    </form>
  );
}

export default function UsersSettings() {
  const { t } = useTranslation('settings');
  const { user: me } = useSession();
  const query = useQuery({ queryKey: keys.users, queryFn: listUsers });
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  return (
    <>
      <section className="panel wide-panel" aria-labelledby="users-title">
        <div className="page-head">
          <h2 id="users-title">{t('tabs.users')}</h2>
          {!adding && (
            <button type="button" onClick={() => setAdding(true)}>
              {t('users.add')}
            </button>
          )}
        </div>
        {message && <Notice kind="success">{message}</Notice>}
        {query.isPending && <Loading />}
        {query.isError && <Notice kind="error" error={query.error} />}
        {query.data && (
          <div className="table-wrap">
            <table className="reports-stack">
              <thead>
                <tr>
                  <th scope="col">{t('auth:username')}</th>
                  <th scope="col">{t('account.email')}</th>
                  <th scope="col">{t('account.role')}</th>
                  <th scope="col">{t('users.created')}</th>
                  <th scope="col">{t('users.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {query.data.map((u) => (
                  <UserRow key={u.id} user={u} isSelf={u.id === me?.id} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {adding && (
        <AddUserForm
          onDone={(msg) => {
            setAdding(false);
            setMessage(msg);
          }}
        />
      )}
    </>
  );
}
