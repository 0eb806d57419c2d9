import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import '../styles/shutdown.css';
import { fieldError } from '../api/client';
import { addProtectedHost, getUpsProtection, removeProtectedHost } from '../api/endpoints';
import { keys } from '../api/keys';
import { ConfirmDeleteButton } from './ConfirmDeleteButton';
import { Field } from './Field';
import { Loading } from './Loading';
import { Notice } from './Notice';
import { TimeAgo } from './TimeAgo';

interface Props {
  upsId: number;
  canEdit: boolean;
}

/** Which machines upsmon shows attached to this UPS, and the hosts that should be. */
export function ProtectionPanel({ upsId, canEdit }: Props) {
  const { t } = useTranslation('protection');
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.protection(upsId), queryFn: () => getUpsProtection(upsId), refetchInterval: 60_000 });
  const [host, setHost] = useState('');
  const [label, setLabel] = useState('');
  const refresh = () => void client.invalidateQueries({ queryKey: keys.protection(upsId) });
  const add = useMutation({
    mutationFn: () => addProtectedHost(upsId, host.trim(), label.trim()),
    onSuccess: () => {
      setHost('');
      setLabel('');
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (hostId: number) => removeProtectedHost(upsId, hostId), onSuccess: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };

  return (
    <section className="panel protection" aria-labelledby="protection-title" data-testid="protection-panel">
      <h2 id="protection-title">{t('title')}</h2>
      {query.isPending && <Loading label={t('loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && (
        <>
          <h3>{t('clients')}</h3>
          {!query.data.supported ? (
            <p className="muted">{t('notSupported')}</p>
          ) : query.data.clients.length === 0 ? (
            <p className="muted">{t('noClients')}</p>
          ) : (
            <ul className="plain-list">
              {query.data.clients.map((c) => (
                <li key={c.address}>
                  <code>{c.address}</code>
                  {c.label && ` — ${c.label}`} <span className="muted small">{c.expected ? t('expected') : t('unexpected')}</span>
                </li>
              ))}
            </ul>
          )}
          {query.data.supported && query.data.read_at && (
            <p className="muted small">
              {t('readAt')} <TimeAgo iso={query.data.read_at} />
            </p>
          )}
          <h3>{t('hosts')}</h3>
          {query.data.protected_hosts.length === 0 && <p className="muted">{t('noHosts')}</p>}
          {query.data.protected_hosts.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('host')}</th>
                    <th scope="col">{t('attached')}</th>
                    <th scope="col">{t('source')}</th>
                    {canEdit && <th scope="col">{t('actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {query.data.protected_hosts.map((h) => (
                    <tr key={h.id ?? `plan-${h.plan_id}-${h.host}`} data-testid="protected-host">
                      <td>
                        <code>{h.host}</code>
                        {h.label && ` — ${h.label}`}
                      </td>
                      <td className={h.attached ? 'tone-text-ok' : 'tone-text-critical'}>{h.attached ? t('yes') : t('no')}</td>
                      <td>
                        {h.source === 'plan' && h.plan_id !== null ? (
                          canEdit ? <Link to={`/shutdown/${h.plan_id}`}>{t('fromPlan', { name: h.plan_name ?? '' })}</Link> : t('fromPlan', { name: h.plan_name ?? '' })
                        ) : (
                          t('operator')
                        )}
                      </td>
                      {canEdit && (
                        <td>{h.source === 'operator' && h.id !== null && <ConfirmDeleteButton what={h.host} onConfirm={() => remove.mutate(h.id!)} pending={remove.isPending && remove.variables === h.id} />}</td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {remove.isError && <Notice kind="error" error={remove.error} />}
          {canEdit && (
            <form className="row" onSubmit={submit} aria-label={t('addTitle')}>
              <Field label={t('host')} required value={host} onChange={(e) => setHost(e.target.value)} error={fieldError(add.error, 'host')} />
              <Field label={t('label')} value={label} onChange={(e) => setLabel(e.target.value)} error={fieldError(add.error, 'label')} />
              <div className="button-row">
                <button type="submit" disabled={add.isPending || !host.trim()}>
                  {t('add')}
                </button>
              </div>
              {add.isError && !fieldError(add.error, 'host') && !fieldError(add.error, 'label') && <Notice kind="error" error={add.error} />}
            </form>
          )}
        </>
      )}
    </section>
  );
}
