import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { startDrill } from '../api/endpoints';
import { keys } from '../api/keys';
import { DrillReportView } from './DrillReportView';
import { Field } from './Field';
import { Notice } from './Notice';

interface Props {
  upsId: number;
  upsName: string;
  /** How often the running drill's report is fetched again (default: every 1.5 s). */
  pollMs?: number;
}

/** Admin: a simulated outage of this UPS through the real rules and channels, with its report. */
export function FireDrill({ upsId, upsName, pollMs }: Props) {
  const { t } = useTranslation('drill');
  const client = useQueryClient();
  const [seconds, setSeconds] = useState('30');
  const [drillId, setDrillId] = useState<number | null>(null);
  const start = useMutation({
    mutationFn: () => startDrill(upsId, Number(seconds)),
    onSuccess: (report) => {
      client.setQueryData(keys.drill(report.id), report);
      setDrillId(report.id);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <section className="panel fire-drill" aria-labelledby="drill-title">
      <h2 id="drill-title">{t('title')}</h2>
      <p className="muted small">{t('intro', { name: upsName })}</p>
      <form className="inline-form" onSubmit={submit} aria-label={t('startLabel')}>
        <Field label={t('restoreAfter')} name="restore-after" type="number" min={0} max={3600} required className="narrow" value={seconds} onChange={(e) => setSeconds(e.target.value)} />
        <button type="submit" disabled={start.isPending}>
          {start.isPending ? t('starting') : drillId ? t('again') : t('start')}
        </button>
      </form>
      {start.isError && <Notice kind="error" error={start.error} />}
      {drillId !== null && <DrillReportView key={drillId} drillId={drillId} pollMs={pollMs} />}
    </section>
  );
}
