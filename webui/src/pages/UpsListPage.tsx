import { Link } from 'react-router';
import { useUpsList } from '../hooks/useUpsList';
import { formatPercent, formatRuntime } from '../lib/format';
import { Loading } from '../components/Loading';
import { Notice } from '../components/Notice';
import { LastKnownLine } from '../components/LastKnownLine';
import { StatusBadge } from '../components/StatusBadge';
import { TimeAgo } from '../components/TimeAgo';

export default function UpsListPage() {
  const query = useUpsList();
  if (query.isPending) return <Loading label="Loading UPS systems…" />;
  const list = query.data ?? [];
  return (
    <div className="page">
      <h1>UPS systems</h1>
      {query.isError && <Notice kind={list.length ? 'warning' : 'error'} error={query.error} />}
      {list.length === 0 ? (
        <p className="muted">No UPS systems yet. They appear when a NUT server is added.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Charge</th>
                <th scope="col">Runtime</th>
                <th scope="col">Load</th>
                <th scope="col">NUT name</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`/ups-systems/${u.id}`}>{u.displayName}</Link>
                  </td>
                  <td>
                    <StatusBadge ups={u} />
                    <LastKnownLine ups={u} className="small" />
                  </td>
                  <td>{formatPercent(u.batteryCharge)}</td>
                  <td>{formatRuntime(u.runtimeRemaining)}</td>
                  <td>{formatPercent(u.load)}</td>
                  <td>
                    <code>{u.upsName}</code>
                  </td>
                  <td>
                    <TimeAgo iso={u.lastUpdated} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
