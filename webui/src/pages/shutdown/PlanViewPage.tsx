import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { deleteShutdownPlan, dryRunShutdownPlan, getShutdownPlan } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { DryRunView } from '../../components/shutdown/DryRunView';
import { RunsList } from '../../components/shutdown/RunsList';
import { StateBadge } from '../../components/shutdown/StateBadge';
import { WhatIfForm } from '../../components/shutdown/WhatIfForm';
import { useUpsChoices } from '../../hooks/useUpsChoices';
import { phaseProgress, triggerSummary } from '../../lib/shutdownText';
import type { DryRunUpsState } from '../../lib/shutdownTypes';

/** What the plan would do now (a dry run on the current readings), and "what if". */
export default function PlanViewPage() {
  const { t } = useTranslation('shutdown');
  const id = Number(useParams().id);
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const navigate = useNavigate();
  const client = useQueryClient();
  const ups = useUpsChoices();
  const plan = useQuery({ queryKey: keys.shutdownPlan(id), queryFn: () => getShutdownPlan(id), enabled: Number.isInteger(id) });
  const current = useQuery({
    queryKey: [...keys.shutdownPlan(id), 'dry-run', plan.data?.updated_at ?? ''],
    queryFn: () => dryRunShutdownPlan(id),
    enabled: !!plan.data,
    refetchInterval: 30_000,
  });
  const whatIf = useMutation({ mutationFn: (state: Record<string, DryRunUpsState>) => dryRunShutdownPlan(id, state) });
  const remove = useMutation({
    mutationFn: () => deleteShutdownPlan(id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.shutdownPlans });
      navigate('/shutdown');
    },
  });

  if (plan.isPending) return <Loading label={t('view.loading')} />;
  if (plan.isError) {
    return (
      <div className="page">
        <Notice kind="error" error={plan.error} />
        <Link to="/shutdown">{t('list.title')}</Link>
      </div>
    );
  }
  const p = plan.data;
  const upsNames = p.ups.map((u) => ups.data?.find((x) => x.id === u)?.displayName ?? `#${u}`);
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/shutdown">{t('list.title')}</Link> / {p.name}
      </p>
      <div className="page-head">
        <h1>{p.name}</h1>
        <div className="button-row">
          <Link className="button" to={`/shutdown/${p.id}/edit`}>
            {t('view.edit')}
          </Link>
          <ConfirmDeleteButton what={p.name} onConfirm={() => remove.mutate()} pending={remove.isPending} />
        </div>
      </div>
      {notice && <Notice kind="success">{notice}</Notice>}
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {!p.enabled && <Notice kind="info">{t('view.disabled')}</Notice>}
      {p.active_run && (
        <Notice kind="warning">
          <StateBadge state={p.active_run.state} /> <Link to={`/shutdown/runs/${p.active_run.id}`}>{phaseProgress(p.active_run.phase, p.phases.length)}</Link>
        </Notice>
      )}
      <section className="panel">
        <p>{t('list.watches', { ups: upsNames.join(', ') || t('list.noUps') })}</p>
        <p>{triggerSummary(p.triggers)}</p>
        <p className="muted small">{t('view.minHealthy', { n: p.min_healthy ?? p.ups.length, count: p.ups.length })}</p>
      </section>
      <section className="panel" aria-labelledby="now-title">
        <h2 id="now-title">{t('view.now')}</h2>
        {current.isPending && <Loading label={t('view.dryRunning')} />}
        {current.isError && <Notice kind="error" error={current.error} />}
        {current.data && <DryRunView planId={p.id} result={current.data} canTest />}
      </section>
      <section className="panel" aria-labelledby="whatif-title">
        <h2 id="whatif-title">{t('whatIf.title')}</h2>
        <p className="muted small">{t('whatIf.intro')}</p>
        <WhatIfForm upsIds={p.ups} pending={whatIf.isPending} onRun={(state) => whatIf.mutate(state)} />
        {whatIf.isError && <Notice kind="error" error={whatIf.error} />}
        {whatIf.data && <DryRunView planId={p.id} result={whatIf.data} canTest={false} />}
      </section>
      <section className="panel" aria-labelledby="plan-runs-title">
        <h2 id="plan-runs-title">{t('runs.ofPlan')}</h2>
        <RunsList planId={p.id} />
      </section>
    </div>
  );
}
