import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { fetchSshHostKey } from '../../api/endpoints';
import { Notice } from '../Notice';

interface Props {
  host: string;
  port: number;
  /** The admin confirmed this fingerprint: store its key. */
  onAccept: (key: string) => void;
}

/** First contact with an SSH host: show its key's fingerprint and let the admin trust it. */
export function HostKeyFetch({ host, port, onAccept }: Props) {
  const { t } = useTranslation('shutdown');
  const [dismissed, setDismissed] = useState(false);
  const fetchKey = useMutation({ mutationFn: () => fetchSshHostKey(host, port), onMutate: () => setDismissed(false) });
  const key = dismissed ? undefined : fetchKey.data;
  return (
    <div className="host-key">
      <button type="button" className="button-secondary" disabled={!host.trim() || fetchKey.isPending} onClick={() => fetchKey.mutate()}>
        {fetchKey.isPending ? t('hostKey.fetching') : t('hostKey.fetch')}
      </button>
      {fetchKey.isError && <Notice kind="error" error={fetchKey.error} />}
      {key && (
        <div className="panel host-key-confirm" role="group" aria-label={t('hostKey.confirmTitle')}>
          <p>{t('hostKey.confirm', { host: key.host, port: key.port, algorithm: key.algorithm })}</p>
          <code className="fingerprint">{key.fingerprint}</code>
          <div className="button-row">
            <button
              type="button"
              onClick={() => {
                onAccept(key.key);
                setDismissed(true);
              }}
            >
              {t('hostKey.trust')}
            </button>
            <button type="button" className="button-secondary" onClick={() => setDismissed(true)}>
              {t('common:actions.cancel')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
