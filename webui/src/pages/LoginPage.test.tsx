// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { Route, Routes } from 'react-router';
import { QueryClient } from '@tanstack/react-query';
import { clearSession, getToken, getUser } from '../api/session';
import { mount, startRecordingApi, until, type RecordingApi } from '../test/harness';
import { LoginPage } from './LoginPage';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
  clearSession();
});

const pages = (
  <Routes>
    <Route path="/login" element={<LoginPage />} />
    <Route path="/servers" element={<p>the servers page</p>} />
  </Routes>
);
const client = () => new QueryClient({ defaultOptions: { queries: { retry: false } } });

describe('single sign-on on the login page', () => {
  it('offers the button with the admin’s label, keeping where the user was going', async () => {
    api = await startRecordingApi({ 'GET /api/auth/oidc': { body: { enabled: true, label: 'Sign in with Authentik' } } });
    const page = await mount(pages, client(), '/login');
    const button = await until(() => [...page.el.querySelectorAll('a')].find((a) => a.textContent === 'Sign in with Authentik'), 'the button');
    expect(button.getAttribute('href')).toBe('/api/auth/oidc/start?next=%2F');
    await page.unmount();
  });

  it('shows no button while single sign-on is off', async () => {
    api = await startRecordingApi({ 'GET /api/auth/oidc': { body: { enabled: false, label: 'Sign in with single sign-on' } } });
    const page = await mount(pages, client(), '/login');
    await until(() => api!.requests.includes('GET /api/auth/oidc'), 'the question');
    expect(page.el.textContent).not.toContain('Sign in with single sign-on');
    await page.unmount();
  });

  it('turns the token the callback sent into the session and goes on', async () => {
    const me = { id: 7, username: 'ada', email: 'ada@example.test', role: 'admin', isAdmin: true, created_at: '2026-12-07T10:00:00Z', sso: true };
    api = await startRecordingApi({ 'GET /api/auth/me': { body: me }, 'GET /api/auth/oidc': { body: { enabled: true, label: 'SSO' } } });
    const page = await mount(pages, client(), '/login#sso=header.claims.signature&next=%2Fservers');
    await until(() => page.el.textContent?.includes('the servers page'), 'the page the user was going to');
    expect(getToken()).toBe('header.claims.signature');
    expect(getUser()).toMatchObject({ username: 'ada', role: 'admin', sso: true });
    expect(api.requests).toContain('GET /api/auth/me');
    await page.unmount();
  });

  it('says why a sign-on failed, in the user’s words', async () => {
    api = await startRecordingApi({ 'GET /api/auth/oidc': { body: { enabled: true, label: 'SSO' } } });
    const page = await mount(pages, client(), '/login#ssoError=no_role');
    await until(() => page.el.textContent?.includes('in no group that has access to PowerPulse'), 'the reason');
    expect(getToken()).toBeNull();
    await page.unmount();
  });
});
