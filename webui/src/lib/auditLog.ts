/** The audit log's query paths and how an entry reads (pure; the page is `pages/settings/AuditSettings`). */
import type { components } from '../api/schema';
import { filterBounds, type ExportFormat } from './reports';

export type AuditLogEntry = components['schemas']['AuditLogEntry'];
export type AuditLogPage = components['schemas']['AuditLogPage'];

export interface AuditFilter {
  /** Local calendar days `YYYY-MM-DD` ('' : open), as the Reports filter. */
  from: string;
  to: string;
  /** A user id or username ('' : anyone). */
  user: string;
  /** An exact action, or an area with a trailing dot ('' : every action). */
  action: string;
  failedOnly: boolean;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { from: '', to: '', user: '', action: '', failedOnly: false };

/** `/api/audit-log?…`: a page (`limit`, `cursor`) or, with `format`, the export of every match. */
export function auditPath(filter: AuditFilter, options: { format?: ExportFormat; limit?: number; cursor?: string | null } = {}): string {
  const q = new URLSearchParams();
  const { from, to } = filterBounds({ ups: '', site: '', from: filter.from, to: filter.to });
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  if (filter.user.trim()) q.set('user', filter.user.trim());
  if (filter.action.trim()) q.set('action', filter.action.trim());
  if (filter.failedOnly) q.set('failed', 'true');
  if (options.format) q.set('format', options.format);
  else {
    if (options.limit) q.set('limit', String(options.limit));
    if (options.cursor) q.set('cursor', options.cursor);
  }
  return `/api/audit-log?${q.toString()}`;
}

export type Outcome = 'ok' | 'refused' | 'failed';

/** 2xx/3xx done; 401/403/429 refused; any other 4xx/5xx failed. */
export function outcomeOf(status: number | null | undefined): Outcome {
  if (status == null || status < 400) return 'ok';
  return status === 401 || status === 403 || status === 429 ? 'refused' : 'failed';
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value as one line of text: '' for absent or empty, times through `formatTime`, JSON for lists and objects. */
export function valueText(value: unknown, formatTime: (iso: string) => string = (iso) => iso): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'string') return ISO_TIME.test(value) ? formatTime(value) : value;
  return JSON.stringify(value);
}

/** The fields an entry changed, before → after (a create has no before, a delete no after); fields
 *  empty on both sides are left out. */
export function auditChanges(entry: Pick<AuditLogEntry, 'before' | 'after'>, formatTime?: (iso: string) => string): FieldChange[] {
  const before = isRecord(entry.before) ? entry.before : {};
  const after = isRecord(entry.after) ? entry.after : {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .map((field) => ({ field, before: valueText(before[field], formatTime), after: valueText(after[field], formatTime) }))
    .filter((c) => c.before !== '' || c.after !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What an entry acted on: "NUT server 3 · office" (`kindLabel` names the table), or '' when nothing in particular. */
export function targetText(entry: Pick<AuditLogEntry, 'targetType' | 'targetId' | 'targetName'>, kindLabel: (type: string) => string = (type) => type): string {
  if (!entry.targetType) return '';
  const id = entry.targetId ? ` ${entry.targetId}` : '';
  return `${kindLabel(entry.targetType)}${id}${entry.targetName ? ` · ${entry.targetName}` : ''}`;
}
