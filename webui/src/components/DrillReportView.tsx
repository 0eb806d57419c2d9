import { useQuery } from '@tanstack/react-query';
import { listUsers } from '../api/endpoints';
import { keys } from '../api/keys';
import { useDrillReport } from '../hooks/useDrillReport';
import { formatDateTime, variableLabel } from '../lib/format';
import type { DrillDelivery } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';

function Recipient({ d, userName }: { d: DrillDelivery; userName: (id: number) => string }) {
  if (d.rule) return <>Rule {d.rule.name}</>;
  if (d.userId != null) return <>{userName(d.userId)}</>;
  return <span className="muted">–</span>;
}

/** A fire drill's live report: every delivery of both phases, as it happens. */
export function DrillReportView({ drillId, pollMs }: { drillId: number; pollMs?: number }) {
  const report = useDrillReport(drillId, pollMs);
  const users = useQuery({ queryKey: keys.users, queryFn: listUsers, staleTime: 60_000 });
  const userName = (id: number) => users.data?.find((u) => u.id === id)?.username ?? `User #${id}`;
  if (report.isPending) return <Loading label="Loading the drill report…" />;
  if (report.isError && !report.data) return <Notice kind="error" error={report.error} />;
  const r = report.data;
  const failed = r.deliveries.filter((d) => d.state === 'failed').length;
  return (
    <div className="drill-report" data-testid="drill-report" data-done={r.done}>
      <p className="small">
        Drill #{r.id} on {r.upsName}, started {formatDateTime(r.startedAt)}
        {r.startedBy ? ` by ${r.startedBy}` : ''}; “power restored” {r.restoreAfter} s after “power lost”.
      </p>
      {r.done ? (
        <Notice kind={failed ? 'warning' : 'success'}>
          Drill finished: {r.deliveries.length - failed} of {r.deliveries.length} deliveries arrived{failed ? `, ${failed} failed` : ''}.
        </Notice>
      ) : (
        <p className="muted small" role="status">
          <span className="spinner" aria-hidden="true" /> Drill running: deliveries update as they happen…
        </p>
      )}
      {r.deliveries.length === 0 ? (
        <p className="muted">No one was told: no rule or user channel covers this UPS.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="drill-deliveries">
            <thead>
              <tr>
                <th scope="col">Phase</th>
                <th scope="col">Rule or user</th>
                <th scope="col">Channel</th>
                <th scope="col">State</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {r.deliveries.map((d, i) => (
                <tr key={`${d.phase}-${d.channelId ?? d.channel}-${d.userId ?? d.rule?.id ?? ''}-${i}`} className={`delivery-${d.state}`}>
                  <td>{variableLabel(d.phase)}</td>
                  <td>
                    <Recipient d={d} userName={userName} />
                  </td>
                  <td>{d.channelName ? `${d.channelName} (${d.channel})` : d.channel}</td>
                  <td>
                    {d.state}
                    {d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}
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
