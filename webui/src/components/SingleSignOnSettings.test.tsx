// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { OidcSettings } from '../types';
import { SingleSignOnSettings } from './SingleSignOnSettings';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const stored: OidcSettings = {
  enabled: false,
  issuer: '',
  clientId: '',
  hasClientSecret: false,
  label: 'Sign in with single sign-on',
  scopes: 'openid profile email groups',
  roleClaim: 'groups',
  groupsByRole: { viewer: [], user: [], operator: [], admin: [] },
  defaultRole: null,
  redirectUri: 'https://power.example/api/auth/oidc/callback',
};

describe('single sign-on settings', () => {
  it('sends what the admin typed, groups split, and shows the API’s refusal at its field', async () => {
    let current = stored;
    api = await startRecordingApi({
      'GET /api/system/oidc': () => ({ body: current }),
      'PUT /api/system/oidc': (req) => {
        const body = req.body as Record<string, unknown>;
        if (!String(body.issuer).startsWith('https://')) return { status: 400, body: { message: "issuer must be the provider's https:// issuer URL", error: 'invalid', field: 'issuer' } };
        current = { ...current, ...(body as Partial<OidcSettings>), hasClientSecret: true };
        return { body: current };
      },
    });
    const page = await mount(<SingleSignOnSettings />);
    const uri = await until(() => page.el.querySelector('[data-testid="sso-redirect-uri"]'), 'the redirect URI');
    expect(uri.textContent).toBe('https://power.example/api/auth/oidc/callback');
    await act(async () => controlLabelled(page.el, 'Offer single sign-on on the login page')!.click());
    await typeInto(controlLabelled(page.el, 'Issuer URL')!, 'http://idp');
    await typeInto(controlLabelled(page.el, 'Client id')!, 'powerpulse');
    await typeInto(controlLabelled(page.el, 'Client secret')!, 's3cret');
    await typeInto(controlLabelled(page.el, 'Groups for admin')!, 'pp-admins, ops, ops');
    await act(async () => buttonNamed(page.el, 'Save')!.click());
    await until(() => page.el.textContent?.includes('https:// issuer URL'), 'the refusal');
    await typeInto(controlLabelled(page.el, 'Issuer URL')!, 'https://idp.example');
    await act(async () => buttonNamed(page.el, 'Save')!.click());
    await until(() => page.el.textContent?.includes('Saved.'), 'saved');
    const sent = api.sent.filter((r) => r.method === 'PUT').at(-1)!.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      enabled: true,
      issuer: 'https://idp.example',
      clientId: 'powerpulse',
      clientSecret: 's3cret',
      groupsByRole: { viewer: [], user: [], operator: [], admin: ['pp-admins', 'ops'] },
      defaultRole: null,
    });
    expect(controlLabelled<HTMLInputElement>(page.el, 'Client secret')!.value).toBe(''); // never shown again
    expect(page.el.textContent).toContain('Stored. Leave empty to keep it.');
    await page.unmount();
  });
});
