import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listShutdownRuns } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { useSession } from '../../hooks/useSession';
import { isActiveRun, phaseProgress, runStateText } from '../../lib/shutdownText';
import type { ShutdownRunFrame } from '../../lib/shutdownTypes';

/**
 * "Shutdown plan X running — phase 2 of 3" while a run is active. The stream's `shutdown_run` frames keep
 * the list (every signed-in user gets them); admins also read the runs in progress when the page opens.
 */
export function ShutdownBanner() {
  const { t } = useTranslation('shutdown');
  const { isAdmin } = useSession();
  const client = useQueryClient();
  const active = useQuery({
    queryKey: keys.activeShutdownRuns,
    queryFn: async (): Promise<ShutdownRunFrame[]> => {
      // Members may not list runs: what the stream sent is all there is (never wiped by a refetch).
      if (!isAdmin) return client.getQueryData<ShutdownRunFrame[]>(keys.activeShutdownRuns) ?? [];
      const runs = await listShutdownRuns({ limit: 20 });
      return runs.filter((r) => isActiveRun(r.state)).map((r) => ({ ...r, steps: [] }));
    },
    staleTime: 60_000,
  });
  if (!active.data?.length) return null;
  return (
    <>
      {active.data.map((r) => (
        <div key={r.id} className="notice notice-warning shutdown-banner" role="status" data-testid="shutdown-banner">
          <span aria-hidden="true">⏻</span>
          <span>
            {t('banner.running', { name: r.plan_name, progress: r.state === 'running' ? phaseProgress(r.phase, r.phases) : runStateText(r.state) })}{' '}
            {isAdmin && <Link to={`/shutdown/runs/${r.id}`}>{t('banner.open')}</Link>}
          </span>
        </div>
      ))}
    </>
  );
}
