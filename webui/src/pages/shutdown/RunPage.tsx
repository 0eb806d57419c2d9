import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { cancelShutdownRun, getShutdownRun } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { StateBadge } from '../../components/shutdown/StateBadge';
import { useLiveState } from '../../hooks/useLiveUpdates';
import { formatDateTime, formatNumber, MISSING } from '../../lib/format';
import { actionTypeText, isActiveRun, phaseProgress, runStateText, stepDuration } from '../../lib/shutdownText';
import { runTrigger } from '../../lib/shutdownTypes';

/** One run: its trigger, state and every step's outcome, live through the stream. */
export default function RunPage() {
  const { t } = useTranslation('shutdown');
  const id = Number(useParams().id);
  const client = useQueryClient();
  const live = useLiveState();
  const [confirming, setConfirming] = useState(false);
  const run = useQuery({
    queryKey: keys.shutdownRun(id),
    queryFn: () => getShutdownRun(id),
    enabled: Number.isInteger(id),
    // The stream patches states; outputs come with a refetch (and polling while the stream is down).
    refetchInterval: (q) => (q.state.data && isActiveRun(q.state.data.state) ? (live === 'live' ? 10_000 : 3_000) : false),
  });
  const cancel = useMutation({
    mutationFn: () => cancelShutdownRun(id),
    onSuccess: () => {
      setConfirming(false);
      void client.invalidateQueries({ queryKey: keys.shutdownRun(id) });
      void client.invalidateQueries({ queryKey: keys.shutdownPlans });
    },
  });

  if (run.isPending) return <Loading label={t('run.loading')} />;
  if (run.isError) {
    return (
      <div className="page">
        <Notice kind="error" error={run.error} />
        <Link to="/shutdown">{t('list.title')}</Link>
      </div>
    );
  }
  const r = run.data;
  const active = isActiveRun(r.state);
  const trigger = runTrigger(r);
  const steps = [...(r.steps ?? [])].sort((a, b) => (a.section === b.section ? 0 : a.section === 'restore' ? 1 : -1) || a.phase - b.phase || a.position - b.position);
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/shutdown">{t('list.title')}</Link> / {r.plan_id !== null ? <Link to={`/shutdown/${r.plan_id}`}>{r.plan_name}</Link> : r.plan_name} / {t('run.title', { id: r.id })}
      </p>
      <div className="page-head">
        <h1>{t('run.heading', { name: r.plan_name })}</h1>
        <StateBadge state={r.state} />
      </div>
      <section className="panel" aria-live="polite">
        <dl className="run-facts">
          <dt>{t('run.state')}</dt>
          <dd data-testid="run-state">
            {runStateText(r.state)}
            {active && ` — ${phaseProgress(r.phase, r.phases)}`}
          </dd>
          <dt>{t('run.reason')}</dt>
          <dd>{trigger.reason ?? r.reason ?? MISSING}</dd>
          {trigger.ups.length > 0 && (
            <>
              <dt>{t('run.triggeredBy')}</dt>
              <dd>{trigger.ups.map((u) => u.name).join(', ')}</dd>
            </>
          )}
          {r.reason && trigger.reason && r.reason !== trigger.reason && (
            <>
              <dt>{t('run.endReason')}</dt>
              <dd>{r.reason}</dd>
            </>
          )}
          <dt>{t('run.started')}</dt>
          <dd>
            {formatDateTime(r.started_at)}
            {r.started_by && ` · ${t('run.startedBy', { who: r.started_by })}`}
          </dd>
          <dt>{t('run.finished')}</dt>
          <dd>{formatDateTime(r.finished_at)}</dd>
        </dl>
        {active && !confirming && (
          <button type="button" className="button-danger-outline" onClick={() => setConfirming(true)}>
            {t('run.cancel')}
          </button>
        )}
        {active && confirming && (
          <div className="confirm-box" role="alertdialog" aria-label={t('run.cancel')}>
            <p>{t('run.cancelConfirm')}</p>
            <div className="button-row">
              <button type="button" className="button-danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
                {t('run.cancelYes')}
              </button>
              <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
                {t('run.keepRunning')}
              </button>
            </div>
          </div>
        )}
        {cancel.isError && <Notice kind="error" error={cancel.error} />}
      </section>
      <section className="panel" aria-labelledby="steps-title">
        <h2 id="steps-title">{t('run.steps')}</h2>
        {steps.length === 0 && <p className="muted">{t('run.noSteps')}</p>}
        <ol className="plain-list run-steps">
          {steps.map((s) => (
            <li key={s.id} className="run-step" data-testid="run-step">
              <div className="page-head">
                <span>
                  <strong>{s.section === 'restore' ? t('timeline.restore') : t('timeline.phase', { n: s.phase + 1 })}</strong> · {actionTypeText(s.action_type)} {s.description}
                </span>
                <StateBadge state={s.state} kind="step" />
              </div>
              <p className="muted small">
                {t('run.stepTimes', { start: formatDateTime(s.started_at), end: formatDateTime(s.finished_at), duration: stepDuration(s) })}
                {s.exit_code !== null && ` · ${t('test.exitCode', { code: formatNumber(s.exit_code) })}`}
                {s.attempts > 1 && ` · ${t('run.attempts', { count: s.attempts })}`}
              </p>
              {s.error && <p className="notice-inline">{s.error}</p>}
              {s.output && <pre className="run-output">{s.output}</pre>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
