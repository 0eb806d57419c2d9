import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listServers } from '../api/endpoints';
import { keys } from '../api/keys';
import { useSession } from '../hooks/useSession';
import type { NutServer } from '../types';
import { Loading } from '../components/Loading';
import { Notice } from '../components/Notice';
import { ServerForm } from '../components/ServerForm';
import { ServerRow } from '../components/ServerRow';

export default function ServersPage() {
  const { t } = useTranslation('servers');
  const { isAdmin } = useSession();
  const query = useQuery({
    queryKey: keys.servers,
    queryFn: listServers,
    // A server just added is polled within seconds: look again soon instead of in 30 s.
    refetchInterval: (q) => (q.state.data?.some((s) => s.reachable === null || s.reachable === undefined) ? 2_000 : 30_000),
  });
  const [editing, setEditing] = useState<NutServer | 'new' | null>(null);
  const [message, setMessage] = useState('');

  const done = (msg: string) => {
    setEditing(null);
    setMessage(msg);
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('nav:nutServers')}</h1>
        {isAdmin && editing === null && (
          <button
            type="button"
            onClick={() => {
              setMessage('');
              setEditing('new');
            }}
          >
            {t('add')}
          </button>
        )}
      </div>
      {!isAdmin && <p className="muted">{t('adminOnly')}</p>}
      {message && <Notice kind="success">{message}</Notice>}
      {editing !== null && (
        <ServerForm key={editing === 'new' ? 'new' : editing.id} server={editing === 'new' ? undefined : editing} onDone={done} onCancel={() => setEditing(null)} />
      )}
      {query.isPending && <Loading label={t('loading')} />}
      {query.isError && <Notice kind={query.data ? 'warning' : 'error'} error={query.error} />}
      {query.data && query.data.length === 0 && <p className="muted">{t('none')}</p>}
      <ul className="server-list">
        {query.data?.map((s) => (
          <ServerRow key={s.id} server={s} isAdmin={isAdmin} onEdit={setEditing} onDeleted={done} />
        ))}
      </ul>
    </div>
  );
}
