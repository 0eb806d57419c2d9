// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { clearSession, setSession } from '../../api/session';
import AboutSettings from './AboutSettings';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// A real HTTP server answering GET /api/system/version as the api worker does: the version to
// anyone, the image and self-update details only to an admin's token.
let server: Server;
const versionAuth: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/system/version') {
      versionAuth.push(req.headers.authorization);
      if (req.headers.authorization === 'Bearer admin-token') {
        return send(200, {
          version: '2.1.0',
          imageRef: 'ghcr.io/example/powerpulse:latest',
          imageDigest: 'sha256:0123456789abcdef0123',
          selfUpdate: { possible: false, reason: 'Mount /var/run/docker.sock' },
        });
      }
      return send(200, { version: '2.1.0' });
    }
    if (req.url === '/api/system/update/status') {
      if (req.headers.authorization !== 'Bearer admin-token') return send(403, { message: 'Administrator access required', error: 'forbidden' });
      return send(200, { state: 'idle', inProgress: false, message: '', steps: [] });
    }
    return send(404, { message: 'Not found', error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (window as unknown as { happyDOM: { setURL: (u: string) => void } }).happyDOM.setURL(`http://127.0.0.1:${port}/settings/about`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function until<T>(find: () => T | null | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found) return found;
    await act(() => new Promise((r) => setTimeout(r, 20)));
  }
  throw new Error('never appeared');
}

async function render(): Promise<{ el: HTMLElement; unmount: () => Promise<void> }> {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const root = createRoot(el);
  await act(async () => {
    root.render(
      <QueryClientProvider client={new QueryClient()}>
        <AboutSettings />
      </QueryClientProvider>,
    );
  });
  return { el, unmount: () => act(async () => root.unmount()) };
}

describe('AboutSettings', () => {
  it('shows an admin the image and why self-update is not possible (their token is sent)', async () => {
    setSession('admin-token', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    const { el, unmount } = await render();
    await until(() => el.querySelector('[data-testid="version"]')?.textContent === '2.1.0');
    await until(() => el.textContent?.includes('Image ghcr.io/example/powerpulse:latest'));
    expect(el.textContent).toContain('digest 0123456789ab');
    expect(el.textContent).toContain('Self-update is not available here: Mount /var/run/docker.sock');
    expect(versionAuth.at(-1)).toBe('Bearer admin-token');
    await unmount();
  });

  it('shows a user the version only, without the update panel', async () => {
    setSession('user-token', { id: 2, username: 'alice', email: null, role: 'user', isAdmin: false });
    const { el, unmount } = await render();
    await until(() => el.querySelector('[data-testid="version"]')?.textContent === '2.1.0');
    expect(el.querySelector('[data-testid="update-panel"]')).toBeNull();
    expect(el.textContent).not.toContain('docker.sock');
    expect(el.querySelector('[role="alert"]')).toBeNull();
    await unmount();
    clearSession();
  });
});
