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
  const client = useQueryClient();
  const metrics = useQuery({ queryKey: keys.thresholdMetrics, queryFn: listThresholdMetrics, staleTime: 10 * 60_000 });
  const thresholds = useQuery({ queryKey: keys.thresholds, queryFn: listThresholds });
  const ups = useUpsChoices();
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  const create = useMutation({
    mutationFn: (body: ThresholdBody) => createThreshold(body),
    onSuccess: (t) => {
      void client.invalidateQueries({ queryKey: keys.thresholds });
      setAdding(false);
      setMessage(`Threshold ${t.name} added.`);
    },
  });
  const failed = [metrics, thresholds].find((q) => q.isError);
  const ready = metrics.data && thresholds.data;
  const upsList = ups.data ?? [];
  return (
    <section className="panel wide-panel" aria-labelledby="thresholds-title">
      <div className="page-head">
        <h2 id="thresholds-title">Thresholds</h2>
        {ready && !adding && (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setMessage('');
            }}
          >
            Add threshold
          </button>
        )}
      </div>
      <p className="muted small">A reading past its limit for a while becomes an event, which alert rules can send like a power event.</p>
      {failed && <Notice kind="error" error={failed.error} />}
      {!ready && !failed && <Loading label="Loading thresholds…" />}
      {message && <Notice kind="success">{message}</Notice>}
      {ready && adding && (
        <div className="panel">
          <ThresholdForm
            metrics={metrics.data}
            upsList={upsList}
            submitLabel="Add threshold"
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
      {ready && thresholds.data.length === 0 && !adding && <p className="muted">No thresholds yet.</p>}
      {ready && thresholds.data.length > 0 && (
        <ul className="rule-rows">
          {thresholds.data.map((t) => (
            <ThresholdRow key={t.id} threshold={t} metrics={metrics.data} upsList={upsList} />
          ))}
        </ul>
      )}
    </section>
  );
}
