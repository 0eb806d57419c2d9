import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkForUpdate, getUpdateStatus, startUpdate } from '../api/endpoints';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/format';
import type { VersionInfo } from '../types';
import { Notice } from './Notice';

interface Props {
  version: VersionInfo | undefined;
}

const short = (digest: string | null | undefined) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '–');

/** Self-update (admin): check the registry, start the update, follow it through the restart. */
export function UpdatePanel({ version }: Props) {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const status = useQuery({
    queryKey: keys.updateStatus,
    queryFn: getUpdateStatus,
    // While an update runs, and while the container restarts (requests fail), keep asking.
    refetchInterval: (q) => (q.state.data?.inProgress || q.state.status === 'error' ? 2_000 : false),
    retry: 0,
  });
  const check = useMutation({ mutationFn: checkForUpdate });
  const update = useMutation({
    mutationFn: startUpdate,
    onSuccess: () => {
      setConfirming(false);
      void client.invalidateQueries({ queryKey: keys.updateStatus });
    },
  });
  const possible = version?.selfUpdate?.possible ?? false;
  const running = status.data?.inProgress ?? false;
  const last = status.data;

  return (
    <section className="panel settings-form" aria-labelledby="update-title" data-testid="update-panel">
      <h2 id="update-title">{t('update.title')}</h2>
      {version?.imageRef && <p className="muted small">{t('update.image', { ref: version.imageRef, digest: short(version.imageDigest) })}</p>}
      {!possible && (
        <Notice kind="info">
          {version?.selfUpdate?.reason ? t('update.unavailableWhy', { reason: version.selfUpdate.reason }) : t('update.unavailable')}
        </Notice>
      )}
      <div className="button-row">
        <button type="button" className="button-secondary" onClick={() => check.mutate()} disabled={!possible || check.isPending || running}>
          {check.isPending ? t('update.checking') : t('update.check')}
        </button>
        {check.data?.updateAvailable && !confirming && (
          <button type="button" onClick={() => setConfirming(true)} disabled={running}>
            {t('update.now')}
          </button>
        )}
        {confirming && (
          <>
            <button type="button" className="button-danger" onClick={() => update.mutate()} disabled={update.isPending}>
              {t('update.confirm')}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              {t('update.notNow')}
            </button>
          </>
        )}
      </div>
      {check.isError && <Notice kind="error" error={check.error} />}
      {check.isSuccess &&
        (check.data.updateAvailable ? (
          <Notice kind="warning">
            {t('update.available', { latest: short(check.data.latestDigest), current: short(check.data.currentDigest) })}
          </Notice>
        ) : (
          <Notice kind="success">{check.data.reason ? t('update.upToDateWhy', { reason: check.data.reason }) : t('update.upToDate')}</Notice>
        ))}
      {update.isError && <Notice kind="error" error={update.error} />}
      {update.isSuccess && (
        <Notice kind="info">
          {update.data.message}. {update.data.details}
        </Notice>
      )}
      {status.isError && running && <Notice kind="info">{t('update.restarting')}</Notice>}
      {last && last.state !== 'idle' && (
        <div data-testid="update-status">
          <h3>
            {t('update.last', { state: t(`update.state.${last.state}`, { defaultValue: last.state }) })}
            {running ? ` ${t('update.inProgress')}` : ''}
          </h3>
          <p>{last.message}</p>
          <ol className="small muted">
            {last.steps.map((s, i) => (
              <li key={i}>
                {formatDateTime(s.at)} — {s.message}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
