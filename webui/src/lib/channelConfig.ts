/**
 * A channel's config as the form edits it, and back. Nothing here knows a channel kind: the
 * fields come from the kind's descriptor (`GET /api/notification-channels/kinds`).
 *
 * Secret values are write-only: a saved one comes back as `{"set": true}`. The form shows it
 * empty ("saved — leave blank to keep") and leaves it out of the config it sends, so the API
 * keeps the stored value; typing a new value replaces it, "Remove" sends "" (optional ones only).
 */
import type { ChannelField } from '../types';

/** One extra HTTP header as a key/value row. */
export interface HeaderRow {
  name: string;
  value: string;
}

/** Text for every input type, rows for `headers`. */
export type DraftValue = string | HeaderRow[];
export type ConfigDraft = Record<string, DraftValue>;
export type ChannelConfig = Record<string, unknown>;

/** `{"set": true}`: a secret the API has and does not send back. */
export function isSavedSecret(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { set?: unknown }).set === true;
}

function headerRows(value: unknown): HeaderRow[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isSavedSecret(value)) return [];
  return Object.entries(value as Record<string, unknown>).map(([name, v]) => ({ name, value: String(v ?? '') }));
}

function text(value: unknown): string {
  if (value === null || value === undefined || isSavedSecret(value)) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The keys whose value the API has saved and not sent (`{"set": true}`). */
export function savedSecretKeys(fields: readonly ChannelField[], config: ChannelConfig | undefined): Set<string> {
  return new Set(fields.filter((f) => isSavedSecret(config?.[f.key])).map((f) => f.key));
}

/**
 * What the form starts with: a saved channel's values (secrets blank), or for a new channel
 * each field's default.
 */
export function initialDraft(fields: readonly ChannelField[], config?: ChannelConfig): ConfigDraft {
  const draft: ConfigDraft = {};
  for (const f of fields) {
    const value = config ? config[f.key] : f.default;
    draft[f.key] = f.type === 'headers' ? headerRows(value) : text(value);
  }
  return draft;
}

function headersObject(rows: HeaderRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) if (row.name.trim()) out[row.name.trim()] = row.value;
  return out;
}

/**
 * The config to send. Blank fields are left out: an optional one is then unset (or takes its
 * default), a saved secret is kept as stored. Keys in `remove` are sent as "" (the API then
 * drops the saved secret).
 */
export function configFromDraft(fields: readonly ChannelField[], draft: ConfigDraft, remove: ReadonlySet<string> = new Set()): ChannelConfig {
  const config: ChannelConfig = {};
  for (const f of fields) {
    if (remove.has(f.key)) {
      config[f.key] = '';
      continue;
    }
    const value = draft[f.key];
    if (Array.isArray(value)) {
      const headers = headersObject(value);
      if (Object.keys(headers).length) config[f.key] = headers;
      continue;
    }
    const raw = value ?? '';
    if (!raw.trim()) continue;
    if (f.type === 'number') {
      const n = Number(raw);
      config[f.key] = Number.isFinite(n) ? n : raw; // not a number: the API says so, by field
    } else {
      config[f.key] = f.type === 'template' ? raw : raw.trim();
    }
  }
  return config;
}

/** `config.url` (the API's `field` for a config key) → `url`; null for other fields. */
export function configKeyOfField(field: string | null | undefined): string | null {
  return field?.startsWith('config.') ? field.slice('config.'.length) : null;
}
