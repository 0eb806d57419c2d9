import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listShutdownPlans } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { RunsList } from '../../components/shutdown/RunsList';
import { PlanEnabledSwitch } from '../../components/shutdown/PlanEnabledSwitch';
import { StateBadge } from '../../components/shutdown/StateBadge';
import { useUpsChoices } from '../../hooks/useUpsChoices';
import { formatNumber } from '../../lib/format';
import { phaseProgress, triggerSummary } from '../../lib/shutdownText';

/** Every plan with what it watches and when it triggers; recent runs below. */
export default function ShutdownPlansPage() {
  const { t } = useTranslation('shutdown');
  const plans = useQuery({ queryKey: keys.shutdownPlans, queryFn: listShutdownPlans });
  const ups = useUpsChoices();
  const upsName = (id: number) => ups.data?.find((u) => u.id === id)?.displayName ?? `#${id}`;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('list.title')}</h1>
        <Link className="button" to="/shutdown/new">
          {t('list.new')}
        </Link>
      </div>
      <p className="muted">{t('list.intro')}</p>
      {plans.isPending && <Loading label={t('list.loading')} />}
      {plans.isError && <Notice kind="error" error={plans.error} />}
      {plans.data?.length === 0 && <p className="muted empty">{t('list.none')}</p>}
      {plans.data && plans.data.length > 0 && (
        <ul className="plain-list plan-list">
          {plans.data.map((p) => (
            <li key={p.id} className="panel plan-row" data-testid="plan-row">
              <div className="page-head">
                <h2>
                  <Link to={`/shutdown/${p.id}`}>{p.name}</Link>
                </h2>
                <PlanEnabledSwitch plan={p} />
              </div>
              <p>{t('list.watches', { ups: p.ups.map(upsName).join(', ') || t('list.noUps') })}</p>
              <p>{triggerSummary(p.triggers)}</p>
              <p className="muted small">{t('list.phases', { count: p.phases.length, n: formatNumber(p.phases.length) })}</p>
              {p.active_run && (
                <p>
                  <StateBadge state={p.active_run.state} />{' '}
                  <Link to={`/shutdown/runs/${p.active_run.id}`}>{phaseProgress(p.active_run.phase, p.phases.length)}</Link>
                </p>
              )}
              <div className="button-row">
                <Link to={`/shutdown/${p.id}`}>{t('list.view', { name: p.name })}</Link>
                <Link to={`/shutdown/${p.id}/edit`}>{t('list.edit', { name: p.name })}</Link>
              </div>
            </li>
          ))}
        </ul>
      )}
      <section className="panel" aria-labelledby="runs-title">
        <h2 id="runs-title">{t('runs.recent')}</h2>
        <RunsList />
      </section>
    </div>
  );
}
