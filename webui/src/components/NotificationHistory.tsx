import { useQuery } from '@tanstack/react-query';
import { notificationHistory } from '../api/endpoints';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/format';
import type { NotificationDelivery, NotificationHistoryItem } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';

type HistoryData = NotificationHistoryItem[] | { items: NotificationHistoryItem[] } | undefined;

function itemsOf(data: HistoryData): NotificationHistoryItem[] {
  if (!data) return [];
  return Array.isArray(data) ? data : (data.items ?? []);
}

function hasPending(data: HistoryData): boolean {
  return itemsOf(data).some((n) => n.deliveries?.some((d) => d.state !== 'delivered' && d.state !== 'failed'));
}

function Outcome({ d }: { d: NotificationDelivery }) {
  const err = d.lastError;
  const icon = d.state === 'delivered' ? '✓' : d.state === 'failed' ? '✖' : '…';
  return (
    <li className={`delivery delivery-${d.state}`} title={err ?? undefined}>
      <span aria-hidden="true">{icon}</span> {d.channel}: {d.state}
      {d.attempts && d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}
      {err ? ` — ${err}` : ''}
    </li>
  );
}

export function NotificationHistory() {
  const query = useQuery({
    queryKey: keys.notificationHistory,
    queryFn: notificationHistory,
    // Deliveries still pending are retried by the server: show their outcome as it comes.
    refetchInterval: (q) => (hasPending(q.state.data) ? 3_000 : 60_000),
  });
  if (query.isPending) return <Loading label="Loading history…" />;
  if (query.isError) return <Notice kind="error" error={query.error} />;
  const items = itemsOf(query.data);
  if (!items.length) return <p className="muted">No notifications sent yet.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="notification-history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">UPS</th>
            <th scope="col">Change</th>
            <th scope="col">Delivery</th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr key={n.id}>
              <td>{formatDateTime(n.created_at)}</td>
              <td>{n.ups_name}</td>
              <td>
                {n.previous_status || '–'} → {n.status}
              </td>
              <td>
                {n.deliveries?.length ? (
                  <ul className="deliveries">
                    {n.deliveries.map((d, i) => (
                      <Outcome key={`${d.channel}-${i}`} d={d} />
                    ))}
                  </ul>
                ) : (
                  <span className="muted">No channel</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
