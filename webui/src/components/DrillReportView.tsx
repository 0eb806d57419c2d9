import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listUsers } from '../api/endpoints';
import { keys } from '../api/keys';
import { useDrillReport } from '../hooks/useDrillReport';
import { formatDateTime, variableLabel } from '../lib/format';
import type { DrillDelivery } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';

function Recipient({ d, userName }: { d: DrillDelivery; userName: (id: number) => string }) {
  const { t } = useTranslation('drill');
  if (d.rule) return <>{t('rule', { name: d.rule.name })}</>;
  if (d.userId != null) return <>{userName(d.userId)}</>;
  return <span className="muted">–</span>;
}

/** A fire drill's live report: every delivery of both phases, as it happens. */
export function DrillReportView({ drillId, pollMs }: { drillId: number; pollMs?: number }) {
  const { t } = useTranslation('drill');
  const report = useDrillReport(drillId, pollMs);
  const users = useQuery({ queryKey: keys.users, queryFn: listUsers, staleTime: 60_000 });
  const userName = (id: number) => users.data?.find((u) => u.id === id)?.username ?? t('userN', { id });
  if (report.isPending) return <Loading label={t('loading')} />;
  if (report.isError && !report.data) return <Notice kind="error" error={report.error} />;
  const r = report.data;
  const failed = r.deliveries.filter((d) => d.state === 'failed').length;
  return (
    <div className="drill-report" data-testid="drill-report" data-done={r.done}>
      <p className="small">
        {t(r.startedBy ? 'summaryBy' : 'summary', { id: r.id, name: r.upsName, at: formatDateTime(r.startedAt), by: r.startedBy, seconds: r.restoreAfter })}
      </p>
      {r.done ? (
        <Notice kind={failed ? 'warning' : 'success'}>
          {failed
            ? t('finishedFailed', { arrived: r.deliveries.length - failed, count: r.deliveries.length, failed })
            : t('finished', { arrived: r.deliveries.length, count: r.deliveries.length })}
        </Notice>
      ) : (
        <p className="muted small" role="status">
          <span className="spinner" aria-hidden="true" /> {t('running')}
        </p>
      )}
      {r.deliveries.length === 0 ? (
        <p className="muted">{t('noOne')}</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="drill-deliveries">
            <thead>
              <tr>
                <th scope="col">{t('col.phase')}</th>
                <th scope="col">{t('col.recipient')}</th>
                <th scope="col">{t('col.channel')}</th>
                <th scope="col">{t('col.state')}</th>
                <th scope="col">{t('col.error')}</th>
              </tr>
            </thead>
            <tbody>
              {r.deliveries.map((d, i) => (
                <tr key={`${d.phase}-${d.channelId ?? d.channel}-${d.userId ?? d.rule?.id ?? ''}-${i}`} className={`delivery-${d.state}`}>
                  <td>{t(`phase.${d.phase}`, { defaultValue: variableLabel(d.phase) })}</td>
                  <td>
                    <Recipient d={d} userName={userName} />
                  </td>
                  <td>{d.channelName ? `${d.channelName} (${d.channel})` : d.channel}</td>
                  <td>
                    {t(`deliveryState.${d.state}`, { defaultValue: d.state })}
                    {d.attempts > 1 ? t('afterAttempts', { count: d.attempts }) : ''}
                  </td>
                  <td>{d.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
