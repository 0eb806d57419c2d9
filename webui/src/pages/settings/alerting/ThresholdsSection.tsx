import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createThreshold, listThresholdMetrics, listThresholds } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import { useUpsChoices } from '../../../hooks/useUpsChoices';
import type { ThresholdBody } from '../../../types';
import { ThresholdForm } from '../../../components/alerting/ThresholdForm';
import { ThresholdRow } from '../../../components/alerting/ThresholdRow';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

/** Admin: limits on readings (load, temperature, …) that fire events for the rules. */
export default function ThresholdsSection() {
  const { t } = useTranslation('alerting');
  const client = useQueryClient();
  const metrics = useQuery({ queryKey: keys.thresholdMetrics, queryFn: listThresholdMetrics, staleTime: 10 * 60_000 });
  const thresholds = useQuery({ queryKey: keys.thresholds, queryFn: listThresholds });
  const ups = useUpsChoices();
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  const create = useMutation({
    mutationFn: (body: ThresholdBody) => createThreshold(body),
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: keys.thresholds });
      setAdding(false);
      setMessage(t('thresholds.added', { name: created.name }));
    },
  });
  const failed = [metrics, thresholds].find((q) => q.isError);
  const ready = metrics.data && thresholds.data;
  const upsList = ups.data ?? [];
  return (
    <section className="panel wide-panel" aria-labelledby="thresholds-title">
      <div className="page-head">
        <h2 id="thresholds-title">{t('sections.thresholds')}</h2>
        {ready && !adding && (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setMessage('');
            }}
          >
            {t('thresholds.add')}
          </button>
        )}
      </div>
      <p className="muted small">{t('thresholds.intro')}</p>
      {failed && <Notice kind="error" error={failed.error} />}
      {!ready && !failed && <Loading label={t('thresholds.loading')} />}
      {message && <Notice kind="success">{message}</Notice>}
      {ready && adding && (
        <div className="panel">
          <ThresholdForm
            metrics={metrics.data}
            upsList={upsList}
            submitLabel={t('thresholds.add')}
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
      {ready && thresholds.data.length === 0 && !adding && <p className="muted">{t('thresholds.none')}</p>}
      {ready && thresholds.data.length > 0 && (
        <ul className="rule-rows">
          {thresholds.data.map((th) => (
            <ThresholdRow key={th.id} threshold={th} metrics={metrics.data} upsList={upsList} />
          ))}
        </ul>
      )}
    </section>
  );
}
