import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listNotificationChannels } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { createDigestSchedule, digestKeys, listDigestSchedules } from '../../components/digests/api';
import { DigestForm } from '../../components/digests/DigestForm';
import { DigestRow } from '../../components/digests/DigestRow';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import type { DigestScheduleBody } from '../../lib/digestForm';

/** Admin: reports by email or chat — a daily, weekly or monthly summary sent through shared channels. */
export default function DigestSettings() {
  const { t } = useTranslation('digests');
  const client = useQueryClient();
  const schedules = useQuery({ queryKey: digestKeys.schedules, queryFn: listDigestSchedules });
  const channels = useQuery({ queryKey: keys.channels('shared'), queryFn: () => listNotificationChannels('shared') });
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  const create = useMutation({
    mutationFn: (body: DigestScheduleBody) => createDigestSchedule(body),
    onSuccess: (made) => {
      void client.invalidateQueries({ queryKey: digestKeys.schedules });
      setAdding(false);
      setMessage(t('added', { name: made.name }));
    },
  });
  const failed = [schedules, channels].find((q) => q.isError);
  const ready = schedules.data && channels.data;
  return (
    <section className="panel wide-panel" aria-labelledby="digests-title">
      <div className="page-head">
        <h2 id="digests-title">{t('title')}</h2>
        {ready && !adding && (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setMessage('');
            }}
          >
            {t('add')}
          </button>
        )}
      </div>
      <p className="muted small">{t('intro')}</p>
      {failed && <Notice kind="error" error={failed.error} />}
      {!ready && !failed && <Loading label={t('loading')} />}
      {message && <Notice kind="success">{message}</Notice>}
      {ready && adding && (
        <div className="panel">
          <DigestForm
            channels={channels.data}
            submitLabel={t('form.create')}
            pending={create.isPending}
            error={create.error}
            onSubmit={(body) => create.mutate(body)}
            onCancel={() => {
              setAdding(false);
              create.reset();
            }}
          />
        </div>
      )}
      {ready && schedules.data.length === 0 && !adding && <p className="muted">{t('none')}</p>}
      {ready && schedules.data.length > 0 && (
        <ul className="rule-rows">
          {schedules.data.map((s) => (
            <DigestRow key={s.id} schedule={s} channels={channels.data} />
          ))}
        </ul>
      )}
    </section>
  );
}
