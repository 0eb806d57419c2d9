/**
 * The only place that calls fetch. Adds the Bearer token, turns error bodies
 * (`{"message", "error", "field"?, "reason"?}`) into ApiError, and on a 401 from an
 * authenticated call clears the session and sends the browser to /login (the original only did
 * that for some calls).
 */
import { i18n } from '../i18n';
import { clearSession, getToken } from './session';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds, from Retry-After on a 429. */
  readonly retryAfter: number | null;
  /** The request field to fix (a 400's `field`, e.g. `name` or `config.url`). */
  readonly field: string | null;
  /** An upstream's own words (a 502 `delivery_failed`: what the service answered). */
  readonly reason: string | null;

  constructor(
    status: number,
    message: string,
    code: string,
    retryAfter: number | null = null,
    extra: { field?: string | null; reason?: string | null } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.field = extra.field ?? null;
    this.reason = extra.reason ?? null;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** A token other than the session's: the one a single sign-on just brought back. */
  token?: string;
  /** Public endpoints (login, setup, kiosk): no token, and a 401 does not log anybody out. */
  anonymous?: boolean;
  signal?: AbortSignal;
  /** Answer `{ text, headers }` instead of parsed JSON (a file download such as `format=csv`). */
  raw?: boolean;
}

export interface RawAnswer {
  text: string;
  headers: Headers;
}

let onUnauthorized: () => void = () => {
  if (typeof window !== 'undefined' && window.location.pathname !== '/login') {
    window.location.assign('/login');
  }
};

/** Lets the router navigate without a full reload. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, Math.ceil(n));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = options.anonymous ? null : (options.token ?? getToken());
  if (token) headers.Authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, i18n.t('common:errors.network'), 'network');
  }

  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const body = (data ?? {}) as { message?: string; error?: string; field?: unknown; reason?: unknown };
    const message = body.message ?? i18n.t('common:errors.requestFailed', { status: response.status });
    if (response.status === 401 && !options.anonymous) {
      clearSession();
      onUnauthorized();
    }
    throw new ApiError(
      response.status,
      message,
      body.error ?? String(response.status),
      parseRetryAfter(response.headers.get('Retry-After')),
      {
        field: typeof body.field === 'string' ? body.field : null,
        reason: typeof body.reason === 'string' ? body.reason : null,
      },
    );
  }
  if (options.raw) return { text, headers: response.headers } as T;
  return data as T;
}

/** Human words for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return i18n.t('common:errors.generic');
}

/** The API's message for `field` when the error names that field, else ''. */
export function fieldError(err: unknown, field: string): string {
  return err instanceof ApiError && err.field === field ? err.message : '';
}
