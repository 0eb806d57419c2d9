import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { deleteServer, rescanServer, testServer } from '../api/endpoints';
import { keys } from '../api/keys';
import type { NutServer } from '../types';
import { TimeAgo } from './TimeAgo';
import { TestResult } from './TestResult';
import { RescanResult } from './RescanResult';
import { Notice } from './Notice';

interface Props {
  server: NutServer;
  isAdmin: boolean;
  onEdit: (server: NutServer) => void;
  onDeleted: (message: string) => void;
}

function Reachability({ server }: { server: NutServer }) {
  const { t } = useTranslation('servers');
  const err = server.error?.message ?? server.error?.code;
  const checked = server.lastChecked ? (
    <span className="muted">
      {' '}
      · {t('checked')} <TimeAgo iso={server.lastChecked} />
    </span>
  ) : null;
  if (server.reachable === true)
    return (
      <span data-testid="reachability">
        <span className="tone-text-ok">✓ {t('reachable')}</span>
        {checked}
      </span>
    );
  if (server.reachable === false)
    return (
      <span data-testid="reachability">
        <span className="tone-text-critical">✖ {err ? t('unreachableWhy', { error: err }) : t('unreachable')}</span>
        {checked}
      </span>
    );
  return (
    <span data-testid="reachability" className="muted">
      {t('notPolled')}
    </span>
  );
}

export function ServerRow({ server, isAdmin, onEdit, onDeleted }: Props) {
  const { t } = useTranslation('servers');
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const test = useMutation({ mutationFn: () => testServer(server.id) });
  const rescan = useMutation({
    mutationFn: () => rescanServer(server.id),
    onSuccess: (res) => {
      if (res.added.length) void client.invalidateQueries({ queryKey: keys.upsList });
      void client.invalidateQueries({ queryKey: keys.servers });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteServer(server.id),
    onSuccess: (res) => {
      void client.invalidateQueries({ queryKey: keys.servers });
      void client.invalidateQueries({ queryKey: keys.upsList });
      onDeleted(res.message);
    },
  });
  const name = `${server.host}:${server.port}`;
  return (
    <li className="panel server-row" data-testid="server-row" aria-label={t('rowLabel', { name })}>
      <div className="server-main">
        <h3>{name}</h3>
        <p className="small">
          <Reachability server={server} />
        </p>
        {server.pollerMissing && (
          <p className="small tone-text-critical" data-testid="poller-missing" role="status">
            ⚠ {server.site ? t('pollerMissingSite', { site: server.site }) : t('pollerMissingNoSite')}
          </p>
        )}
        <p className="muted small">
          {server.site ? <span data-testid="site">{t('site', { site: server.site })} · </span> : null}
          {server.username ? t(server.hasPassword ? 'signsInAsWithPassword' : 'signsInAs', { user: server.username }) : t('noCredentials')}
          {' · '}
          <span data-testid="auto-add">{server.autoAdd ? t('autoAddOn') : t('autoAddOff')}</span>
          {server.updated_at ? (
            <>
              {' '}
              · {t('changed')} <TimeAgo iso={server.updated_at} />
            </>
          ) : null}
        </p>
      </div>
      <div className="button-row">
        <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending} aria-label={t('testOf', { name })}>
          {test.isPending ? t('common:actions.testing') : t('auth:setup.testConnection')}
        </button>
        {isAdmin && (
          <>
            <button type="button" className="button-secondary" onClick={() => rescan.mutate()} disabled={rescan.isPending} aria-label={t('rescanOf', { name })}>
              {rescan.isPending ? t('rescanning') : t('rescan')}
            </button>
            <button type="button" className="button-secondary" onClick={() => onEdit(server)} aria-label={t('editOf', { name })}>
              {t('common:actions.edit')}
            </button>
            {confirming ? (
              <>
                <button type="button" className="button-danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
                  {t('deleteWithUps', { name })}
                </button>
                <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
                  {t('common:actions.keep')}
                </button>
              </>
            ) : (
              <button type="button" className="button-danger-outline" onClick={() => setConfirming(true)} aria-label={t('common:actions.deleteWhat', { what: name })}>
                {t('common:actions.delete')}
              </button>
            )}
          </>
        )}
      </div>
      <div className="server-result">
        <TestResult mutation={test} />
        <RescanResult mutation={rescan} />
        {remove.isError && <Notice kind="error" error={remove.error} />}
      </div>
    </li>
  );
}
