// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../api/session';
import { buttonNamed, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { ApiToken } from '../types';
import { ApiTokens } from './ApiTokens';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const listed = (over: Partial<ApiToken>): ApiToken => ({
  id: 1,
  name: 'grafana',
  scope: 'read',
  prefix: 'pp_abcdefg',
  expiresAt: null,
  lastUsedAt: null,
  lastUsedFrom: null,
  createdAt: '2026-12-01T10:00:00Z',
  expired: false,
  ...over,
});

describe('API tokens', () => {
  it('shows a new token once, lists tokens without their secret, and revokes one', async () => {
    setSession('tok', { id: 2, username: 'maria', email: null, role: 'viewer', isAdmin: false });
    let tokens: ApiToken[] = [listed({ lastUsedAt: '2026-12-02T08:00:00Z', lastUsedFrom: '10.0.0.5' })];
    api = await startRecordingApi({
      'GET /api/auth/tokens': () => ({ body: tokens }),
      'POST /api/auth/tokens': (req) => {
        const made = listed({ id: 2, name: (req.body as { name: string }).name, scope: 'role', prefix: 'pp_zzzzzzz' });
        tokens = [...tokens, made];
        return { status: 201, body: { ...made, token: 'pp_zzzzzzz-the-secret' } };
      },
      'DELETE /api/auth/tokens/1': () => {
        tokens = tokens.filter((x) => x.id !== 1);
        return { body: { message: "API token 'grafana' revoked" } };
      },
    });
    const page = await mount(<ApiTokens />);
    const row = await until(() => page.el.querySelector('[data-testid="api-token"]'), 'the token list');
    expect(row.textContent).toContain('grafana');
    expect(row.textContent).toContain('10.0.0.5');
    await typeInto(page.el.querySelector<HTMLInputElement>('input[name="token-name"]')!, 'homepage');
    await typeInto(page.el.querySelector<HTMLSelectElement>('#token-scope')!, 'role');
    await typeInto(page.el.querySelector<HTMLInputElement>('input[name="token-days"]')!, '30');
    await act(async () => buttonNamed(page.el, 'Create token')!.click());
    const secret = await until(() => page.el.querySelector('[data-testid="new-token"]'), 'the new token');
    expect(secret.textContent).toBe('pp_zzzzzzz-the-secret');
    expect(api.sent.find((r) => r.method === 'POST')!.body).toEqual({ name: 'homepage', scope: 'role', expiresInDays: 30 });
    await until(() => page.el.querySelectorAll('[data-testid="api-token"]').length === 2, 'two tokens');
    expect(page.el.querySelector('[data-testid="api-tokens"]')!.textContent).not.toContain('the-secret');
    await act(async () => buttonNamed(page.el, 'Revoke the token grafana')!.click());
    await until(() => page.el.querySelectorAll('[data-testid="api-token"]').length === 1, 'one token left');
    await page.unmount();
  });
});
