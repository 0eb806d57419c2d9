import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listUsers, notificationHistory, notificationLog } from '../api/endpoints';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/format';
import { powerStateLabel } from '../lib/status';
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

/** "Ops room (slack)": the channel's name and kind; the kind alone for an ad-hoc test. */
export function channelText(d: Pick<NotificationDelivery, 'channel' | 'channelName'>): string {
  return d.channelName ? `${d.channelName} (${d.channel})` : d.channel;
}

function Outcome({ d }: { d: NotificationDelivery }) {
  const { t } = useTranslation('notifications');
  const err = d.lastError;
  const icon = d.state === 'delivered' ? '✓' : d.state === 'failed' ? '✖' : '…';
  return (
    <li className={`delivery delivery-${d.state}`} title={err ?? undefined}>
      <span aria-hidden="true">{icon}</span> {channelText(d)}: {t(`drill:deliveryState.${d.state}`, { defaultValue: d.state })}
      {d.attempts && d.attempts > 1 ? t('drill:afterAttempts', { count: d.attempts }) : ''}
      {err ? ` — ${err}` : ''}
    </li>
  );
}

/** Who it went to and why: the rule that sent it, else the user's own channels. */
function SentBy({ n, userName }: { n: NotificationHistoryItem; userName: string | null }) {
  const { t } = useTranslation('notifications');
  return (
    <>
      {n.rule ? <span data-testid="rule">{t('drill:rule', { name: n.rule.name })}</span> : <span>{userName ?? t('history.yourChannels')}</span>}
      {n.drill_id != null && (
        <span className="status-chip chip-info history-badge" data-testid="drill-badge" title={t('history.drillTitle', { id: n.drill_id })}>
          {t('history.drill')}
        </span>
      )}
      {n.suppressed === 'muted' && (
        <span className="status-chip chip-warning history-badge" data-testid="muted-badge" title={t('history.mutedTitle')}>
          {t('history.muted')}
        </span>
      )}
    </>
  );
}

interface Props {
  /** Your notifications, or (admins) every user's and rule's: the notification log. */
  source?: 'mine' | 'log';
}

export function NotificationHistory({ source = 'mine' }: Props) {
  const { t } = useTranslation('notifications');
  const log = source === 'log';
  const users = useQuery({ queryKey: keys.users, queryFn: listUsers, enabled: log, staleTime: 60_000 });
  // A log row with neither a rule nor a user was sent by a rule that has since been deleted.
  const userName = (id: number | null) =>
    !log ? null : id == null ? t('history.deletedRule') : (users.data?.find((u) => u.id === id)?.username ?? t('drill:userN', { id }));
  const query = useQuery({
    queryKey: log ? keys.notificationLog : keys.notificationHistory,
    queryFn: log ? notificationLog : notificationHistory,
    // Deliveries still pending are retried by the server: show their outcome as it comes.
    refetchInterval: (q) => (hasPending(q.state.data) ? 3_000 : 60_000),
  });
  if (query.isPending) return <Loading label={t('history.loading')} />;
  if (query.isError) return <Notice kind="error" error={query.error} />;
  const items = itemsOf(query.data);
  if (!items.length) return <p className="muted">{t('history.empty')}</p>;
  return (
    <div className="table-wrap">
      <table data-testid="notification-history">
        <thead>
          <tr>
            <th scope="col">{t('history.when')}</th>
            <th scope="col">{t('history.ups')}</th>
            <th scope="col">{t('history.change')}</th>
            <th scope="col">{t('history.sentBy')}</th>
            <th scope="col">{t('history.delivery')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr key={n.id} data-testid="history-row">
              <td>{formatDateTime(n.created_at)}</td>
              <td>{n.ups_name}</td>
              <td>
                {powerStateLabel(n.previous_status) || '–'} → {powerStateLabel(n.status)}
              </td>
              <td>
                <SentBy n={n} userName={userName(n.user_id)} />
              </td>
              <td>
                {n.deliveries?.length ? (
                  <ul className="deliveries">
                    {n.deliveries.map((d, i) => (
                      <Outcome key={`${d.channel}-${i}`} d={d} />
                    ))}
                  </ul>
                ) : (
                  <span className="muted">{n.suppressed === 'muted' ? t('history.notSentMuted') : t('history.noChannel')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
