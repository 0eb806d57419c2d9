/** The login page's half of single sign-on (pure): what the API's callback put in the fragment
 * (`/login#sso=<token>&next=<path>` or `/login#ssoError=<code>`). The codes are the API's own
 * (`SsoFailure` in its document). */
import type { SsoFailure } from '../types';

export type SsoErrorCode = SsoFailure['ssoError'];

// Every code the API may send: a Record, so a code added there fails the type check here.
const CODES: Record<SsoErrorCode, true> = {
  not_configured: true,
  provider_unreachable: true,
  provider_error: true,
  provider_refused: true,
  bad_state: true,
  expired: true,
  bad_code: true,
  code_refused: true,
  bad_token: true,
  wrong_issuer: true,
  no_role: true,
};

export type SsoReturn =
  | { kind: 'signed-in'; token: string; next: string }
  | { kind: 'failed'; code: SsoErrorCode | 'unknown' };

/** A path on this site only: anything else becomes `/` (the API checks too). */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return '/';
  return raw === '/login' ? '/' : raw;
}

export function readSsoReturn(hash: string): SsoReturn | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('sso');
  if (token) return { kind: 'signed-in', token, next: safeNext(params.get('next')) };
  const code = params.get('ssoError');
  if (code === null) return null;
  return { kind: 'failed', code: Object.hasOwn(CODES, code) ? (code as SsoErrorCode) : 'unknown' };
}

/** The groups an admin typed for a role: commas or new lines between them. */
export function parseGroups(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((g) => g.trim()).filter(Boolean))];
}

export function groupsText(groups: readonly string[]): string {
  return groups.join(', ');
}
