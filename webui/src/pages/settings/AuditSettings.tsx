import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { request } from '../../api/client';
import { ExportButtons } from '../../components/reports/ExportButtons';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { auditChanges, auditPath, EMPTY_AUDIT_FILTER, outcomeOf, targetText, valueText, type AuditFilter, type AuditLogEntry, type AuditLogPage } from '../../lib/auditLog';
import { formatDateTime } from '../../lib/format';
import { filterBounds } from '../../lib/reports';
import '../../styles/reports.css';

const PAGE = 50;

/** Admin: who changed or did what, when and from where; filtered by day, user, action and failures, exported. */
export default function AuditSettings() {
  const { t } = useTranslation('audit');
  const [draft, setDraft] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const query = useInfiniteQuery({
    queryKey: ['audit-log', auditPath(filter, { limit: PAGE })],
    queryFn: ({ pageParam }) => request<AuditLogPage>(auditPath(filter, { limit: PAGE, cursor: pageParam })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.entries) ?? [];
  const { from, to } = filterBounds({ ups: '', site: '', from: filter.from, to: filter.to });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft);
  };
  const set = (change: Partial<AuditFilter>) => setDraft((d) => ({ ...d, ...change }));
  return (
    <section className="panel wide-panel" aria-labelledby="audit-title">
      <div className="page-head">
        <h2 id="audit-title">{t('title')}</h2>
        <ExportButtons pathFor={(format) => auditPath(filter, { format })} stem="audit-log" from={from} to={to} what={t('what')} />
      </div>
      <p className="muted small">{t('intro')}</p>
      <form className="reports-filters" onSubmit={apply} aria-label={t('filters')}>
        <div className="field narrow-date">
          <label htmlFor="audit-from">{t('from')}</label>
          <input id="audit-from" type="date" value={draft.from} max={draft.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div className="field narrow-date">
          <label htmlFor="audit-to">{t('to')}</label>
          <input id="audit-to" type="date" value={draft.to} min={draft.from || undefined} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-user">{t('user')}</label>
          <input id="audit-user" value={draft.user} maxLength={64} onChange={(e) => set({ user: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('action')}</label>
          <input id="audit-action" value={draft.action} maxLength={96} placeholder={t('actionPlaceholder')} onChange={(e) => set({ action: e.target.value })} />
        </div>
        <label className="checkbox-option audit-failed-only">
          <input type="checkbox" checked={draft.failedOnly} onChange={(e) => set({ failedOnly: e.target.checked })} /> {t('failedOnly')}
        </label>
        <button type="submit">{t('apply')}</button>
      </form>
      {query.isPending && <Loading label={t('loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.isSuccess && rows.length === 0 && <p className="muted">{t('empty')}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="reports-table reports-stack" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('col.at')}</th>
                <th scope="col">{t('col.who')}</th>
                <th scope="col">{t('col.action')}</th>
                <th scope="col">{t('col.target')}</th>
                <th scope="col">{t('col.outcome')}</th>
                <th scope="col">{t('col.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <AuditRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query.hasNextPage && (
        <button type="button" className="button-secondary" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? t('loadingMore') : t('more')}
        </button>
      )}
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditLogEntry }) {
  const { t } = useTranslation('audit');
  const outcome = outcomeOf(entry.status);
  const changes = auditChanges(entry, formatDateTime);
  const sent = valueText(entry.request);
  const kindLabel = (type: string) => t(`targets.${type}`, { defaultValue: type });
  return (
    <tr data-testid="audit-row">
      <td data-label={t('col.at')}>
        <span>{formatDateTime(entry.at)}</span>
      </td>
      <td data-label={t('col.who')}>
        <div>
          {entry.username ?? <span className="muted">{t('system')}</span>}
          {entry.tokenName && <span className="muted small"> · {t('viaToken', { name: entry.tokenName })}</span>}
          {entry.address && <div className="muted small">{entry.address}</div>}
        </div>
      </td>
      <td data-label={t('col.action')}>
        <div>
          <code>{entry.action}</code>
          {entry.method && entry.path && <div className="muted small">{`${entry.method} ${entry.path}`}</div>}
        </div>
      </td>
      <td data-label={t('col.target')}>
        <span>{targetText(entry, kindLabel) || '—'}</span>
      </td>
      <td data-label={t('col.outcome')}>
        <span>
          <span className={`audit-outcome audit-outcome-${outcome}`}>{t(`outcome.${outcome}`)}</span>
          {entry.status != null && <span className="muted small"> {entry.status}</span>}
        </span>
      </td>
      <td className="stack-block" data-label={t('col.changes')}>
        {changes.length === 0 && !sent && <span className="muted">—</span>}
        {changes.length > 0 && (
          <ul className="reports-list audit-changes">
            {changes.map((c) => (
              <li key={c.field}>
                <code>{c.field}</code>: {c.before === '' ? <span className="muted">{t('unset')}</span> : c.before} → {c.after === '' ? <span className="muted">{t('unset')}</span> : c.after}
              </li>
            ))}
          </ul>
        )}
        {sent && (
          <details>
            <summary>{t('sent')}</summary>
            <code className="audit-sent">{sent}</code>
          </details>
        )}
      </td>
    </tr>
  );
}
