import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listShutdownRuns } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { formatDateTime } from '../../lib/format';
import { runTrigger } from '../../lib/shutdownTypes';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { StateBadge } from './StateBadge';

interface Props {
  /** Only this plan's runs. */
  planId?: number;
}

/** The latest runs, newest first, each linking to its detail. */
export function RunsList({ planId }: Props) {
  const { t } = useTranslation('shutdown');
  const runs = useQuery({ queryKey: keys.shutdownRuns(planId), queryFn: () => listShutdownRuns({ plan: planId, limit: 20 }) });
  if (runs.isPending) return <Loading label={t('runs.loading')} />;
  if (runs.isError) return <Notice kind="error" error={runs.error} />;
  if (runs.data.length === 0) return <p className="muted">{t('runs.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="runs-table">
        <thead>
          <tr>
            <th scope="col">{t('runs.started')}</th>
            <th scope="col">{t('runs.plan')}</th>
            <th scope="col">{t('runs.state')}</th>
            <th scope="col">{t('runs.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {runs.data.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td>
                <Link to={`/shutdown/runs/${r.id}`}>{formatDateTime(r.started_at)}</Link>
              </td>
              <td>{r.plan_name}</td>
              <td>
                <StateBadge state={r.state} />
              </td>
              <td>{r.reason ?? runTrigger(r).reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
