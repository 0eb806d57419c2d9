import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
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
  const err = server.error?.message ?? server.error?.code;
  const checked = server.lastChecked ? (
    <span className="muted">
      {' '}
      · checked <TimeAgo iso={server.lastChecked} />
    </span>
  ) : null;
  if (server.reachable === true)
    return (
      <span data-testid="reachability">
        <span className="tone-text-ok">✓ Reachable</span>
        {checked}
      </span>
    );
  if (server.reachable === false)
    return (
      <span data-testid="reachability">
        <span className="tone-text-critical">✖ Unreachable{err ? `: ${err}` : ''}</span>
        {checked}
      </span>
    );
  return (
    <span data-testid="reachability" className="muted">
      Not polled yet
    </span>
  );
}

export function ServerRow({ server, isAdmin, onEdit, onDeleted }: Props) {
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
    <li className="panel server-row" data-testid="server-row" aria-label={`NUT server ${name}`}>
      <div className="server-main">
        <h3>{name}</h3>
        <p className="small">
          <Reachability server={server} />
        </p>
        {server.pollerMissing && (
          <p className="small tone-text-critical" data-testid="poller-missing" role="status">
            ⚠ No poller is running for {server.site ? `site ${server.site}` : 'servers without a site'}: this server is not polled.
          </p>
        )}
        <p className="muted small">
          {server.site ? <span data-testid="site">Site {server.site} · </span> : null}
          {server.username ? `Signs in as ${server.username}${server.hasPassword ? ' (password stored)' : ''}` : 'No credentials'}
          {' · '}
          <span data-testid="auto-add">{server.autoAdd ? 'New UPS added automatically' : 'New UPS not added automatically'}</span>
          {server.updated_at ? (
            <>
              {' '}
              · changed <TimeAgo iso={server.updated_at} />
            </>
          ) : null}
        </p>
      </div>
      <div className="button-row">
        <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Test connection to ${name}`}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        {isAdmin && (
          <>
            <button type="button" className="button-secondary" onClick={() => rescan.mutate()} disabled={rescan.isPending} aria-label={`Rescan ${name}`}>
              {rescan.isPending ? 'Rescanning…' : 'Rescan'}
            </button>
            <button type="button" className="button-secondary" onClick={() => onEdit(server)} aria-label={`Edit ${name}`}>
              Edit
            </button>
            {confirming ? (
              <>
                <button type="button" className="button-danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
                  Delete {name} and its UPS
                </button>
                <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" className="button-danger-outline" onClick={() => setConfirming(true)} aria-label={`Delete ${name}`}>
                Delete
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
