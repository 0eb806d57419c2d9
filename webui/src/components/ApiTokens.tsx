import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { createApiToken, listApiTokens, revokeApiToken } from '../api/endpoints';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/format';
import type { ApiToken, ApiTokenCreated } from '../types';
import { Field } from './Field';
import { Loading } from './Loading';
import { Notice } from './Notice';

/** Your personal API tokens: make one (its secret is shown this once), see when each was last
 *  used and from where, revoke. */
export function ApiTokens() {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.apiTokens, queryFn: listApiTokens });
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'role'>('read');
  const [days, setDays] = useState('');
  const [made, setMade] = useState<ApiTokenCreated | null>(null);
  const create = useMutation({
    mutationFn: () => createApiToken({ name, scope, expiresInDays: days ? Number(days) : null }),
    onSuccess: (res) => {
      setMade(res);
      setName('');
      void client.invalidateQueries({ queryKey: keys.apiTokens });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section className="panel settings-form" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t('tokens.title')}</h2>
      <p className="muted small">{t('tokens.help')}</p>
      {made && (
        <Notice kind="success">
          {t('tokens.shownOnce', { name: made.name })} <code className="token-secret" data-testid="new-token">
            {made.token}
          </code>
        </Notice>
      )}
      <form className="token-form" onSubmit={submit}>
        <div className="row">
          <Field label={t('tokens.name')} name="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          <div className="field narrow">
            <label htmlFor="token-scope">{t('tokens.scope')}</label>
            <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as 'read' | 'role')}>
              <option value="read">{t('tokens.scopeRead')}</option>
              <option value="role">{t('tokens.scopeRole')}</option>
            </select>
          </div>
          <Field label={t('tokens.expiresInDays')} name="token-days" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
        </div>
        <button type="submit" disabled={create.isPending}>
          {t('tokens.create')}
        </button>
        {create.isError && <Notice kind="error" error={create.error} />}
      </form>
      {query.isPending && <Loading label={t('tokens.title')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && query.data.length === 0 && <p className="muted">{t('tokens.none')}</p>}
      {query.data && query.data.length > 0 && (
        <div className="table-wrap">
        <table className="table reports-stack" data-testid="api-tokens">
          <thead>
            <tr>
              <th>{t('tokens.name')}</th>
              <th>{t('tokens.scope')}</th>
              <th>{t('tokens.expires')}</th>
              <th>{t('tokens.lastUsed')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {query.data.map((token) => (
              <TokenRow key={token.id} token={token} />
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}

function TokenRow({ token }: { token: ApiToken }) {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const revoke = useMutation({ mutationFn: () => revokeApiToken(token.id), onSuccess: () => client.invalidateQueries({ queryKey: keys.apiTokens }) });
  return (
    <tr data-testid="api-token" data-name={token.name}>
      <td data-label={t('tokens.name')}>
        <span>
          {token.name} <code className="muted small">{token.prefix}…</code>
        </span>
      </td>
      <td data-label={t('tokens.scope')}>
        <span>{token.scope === 'read' ? t('tokens.scopeRead') : t('tokens.scopeRole')}</span>
      </td>
      <td data-label={t('tokens.expires')}>
        <span>{token.expired ? t('tokens.expired') : token.expiresAt ? formatDateTime(token.expiresAt) : t('tokens.never')}</span>
      </td>
      <td data-label={t('tokens.lastUsed')}>
        <span>{token.lastUsedAt ? `${formatDateTime(token.lastUsedAt)}${token.lastUsedFrom ? ` · ${token.lastUsedFrom}` : ''}` : t('tokens.neverUsed')}</span>
      </td>
      <td className="token-actions">
        <button type="button" className="button-danger-outline" onClick={() => revoke.mutate()} disabled={revoke.isPending} aria-label={t('tokens.revokeName', { name: token.name })}>
          {t('tokens.revoke')}
        </button>
        {revoke.isError && <Notice kind="error" error={revoke.error} />}
      </td>
    </tr>
  );
}
