// @vitest-environment happy-dom
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setSession } from '../api/session';
import { mount, until } from '../test/harness';
import type { NutServer, NutServerRescan } from '../types';
import ServersPage from './ServersPage';

// A real HTTP server answering like the api worker; it records what the page sends.
let server: Server;
let sent: { method: string; url: string; body: unknown }[] = [];
let rescanAnswer: { status: number; body: unknown };

const garage: NutServer = {
  id: 3,
  host: '10.0.0.5',
  port: 3493,
  username: null,
  hasPassword: false,
  starttls: false,
  autoAdd: false,
  site: null,
  updated_at: '2026-01-01T00:00:00.000Z',
  reachable: true,
  lastChecked: '2026-01-01T00:00:00.000Z',
  error: null,
  pollerMissing: false,
};

const rescanned: NutServerRescan = {
  message: '3 UPS found, 1 added, 1 not added (auto-add is off), 1 no longer on the server',
  found: ['closet', 'rack-a', 'rack-b'],
  added: [{ id: 11, name: 'rack-b', upsName: 'rack-b', nutServerId: 3 }],
  notAdded: ['closet'],
  missing: ['old-rack'],
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      sent.push({ method: req.method ?? '', url: req.url ?? '', body: raw ? JSON.parse(raw) : null });
      if (req.method === 'GET' && req.url === '/api/nut-servers') return send(200, [garage]);
      if (req.method === 'GET' && req.url === '/api/ups-systems') return send(200, []);
      if (req.method === 'POST' && req.url === '/api/nut-servers/3/rescan') return send(rescanAnswer.status, rescanAnswer.body);
      if (req.method === 'PUT' && req.url === '/api/nut-servers/3') return send(200, { message: 'NUT server updated', ...garage, autoAdd: true });
      return send(404, { message: 'Not found', error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (window as unknown as { happyDOM: { setURL: (u: string) => void } }).happyDOM.setURL(`http://127.0.0.1:${port}/servers`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  sent = [];
  rescanAnswer = { status: 200, body: rescanned };
  setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
});

function button(root: HTMLElement, label: string): HTMLButtonElement | undefined {
  return [...root.querySelectorAll('button')].find((b) => b.textContent === label || b.getAttribute('aria-label') === label);
}

describe('ServersPage', () => {
  it('rescans a server and shows what was found, added, left alone and missing', async () => {
    const page = await mount(<ServersPage />);
    const rescan = await until(() => button(page.el, 'Rescan 10.0.0.5:3493'), 'the Rescan button');
    expect(page.el.querySelector('[data-testid="auto-add"]')?.textContent).toBe('New UPS not added automatically');
    await act(async () => rescan.click());
    const result = await until(() => page.el.querySelector('[data-testid="rescan-result"]'), 'the rescan result');
    const text = result.textContent ?? '';
    expect(text).toContain('3 UPS found, 1 added');
    expect(text).toContain('Found: closet, rack-a, rack-b.');
    expect(text).toContain('Added: rack-b.');
    expect(text).toContain('Not added (auto-add is off, or deleted here): closet.');
    expect(text).toContain('No longer on the server (kept with their history): old-rack.');
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/api/nut-servers/3/rescan']);
    await page.unmount();
  });

  it('says why a rescan failed', async () => {
    rescanAnswer = { status: 502, body: { message: 'Connection failed: NUT server 10.0.0.5:3493 refused the connection', error: 'unreachable' } };
    const page = await mount(<ServersPage />);
    const rescan = await until(() => button(page.el, 'Rescan 10.0.0.5:3493'), 'the Rescan button');
    await act(async () => rescan.click());
    const result = await until(() => page.el.querySelector('[data-testid="rescan-result"]'), 'the rescan result');
    expect(result.textContent).toContain('Rescan failed');
    expect(result.textContent).toContain('refused the connection');
    expect(result.querySelector('[role="alert"]')).not.toBeNull();
    await page.unmount();
  });

  it('turns auto-add on in the edit form and sends it', async () => {
    const page = await mount(<ServersPage />);
    const edit = await until(() => button(page.el, 'Edit 10.0.0.5:3493'), 'the Edit button');
    await act(async () => edit.click());
    const toggle = await until(() => page.el.querySelector<HTMLInputElement>('input[role="switch"][name="autoAdd"]'), 'the auto-add switch');
    expect(toggle.checked).toBe(false); // as the server is stored
    await act(async () => toggle.click());
    expect(toggle.checked).toBe(true);
    const save = button(page.el, 'Save changes');
    expect(save).toBeDefined();
    await act(async () => save!.click());
    const put = await until(() => sent.find((r) => r.method === 'PUT'), 'the PUT');
    expect(put.body).toMatchObject({ host: '10.0.0.5', port: 3493, autoAdd: true });
    await until(() => page.el.textContent?.includes('NUT server updated'), 'the saved message');
    await page.unmount();
  });

  it('sends the site from the edit form and warns when no poller covers it', async () => {
    const page = await mount(<ServersPage />);
    expect(page.el.querySelector('[data-testid="poller-missing"]')).toBeNull();
    const edit = await until(() => button(page.el, 'Edit 10.0.0.5:3493'), 'the Edit button');
    await act(async () => edit.click());
    const input = await until(() => page.el.querySelector<HTMLInputElement>('input[name="site"]'), 'the site field');
    expect(input.value).toBe('');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    await act(async () => {
      setter.call(input, 'lab-2');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => button(page.el, 'Save changes')!.click());
    const put = await until(() => sent.find((r) => r.method === 'PUT'), 'the PUT');
    expect(put.body).toMatchObject({ site: 'lab-2' });
    await page.unmount();
    garage.site = 'lab-2';
    garage.pollerMissing = true;
    try {
      const again = await mount(<ServersPage />);
      const warning = await until(() => again.el.querySelector('[data-testid="poller-missing"]'), 'the warning');
      expect(warning.textContent).toContain('No poller is running for site lab-2');
      expect(again.el.querySelector('[data-testid="site"]')?.textContent).toContain('Site lab-2');
      await again.unmount();
    } finally {
      garage.site = null;
      garage.pollerMissing = false;
    }
  });

  it('shows no Rescan button to a user who is not an admin', async () => {
    setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
    const page = await mount(<ServersPage />);
    await until(() => page.el.querySelector('[data-testid="server-row"]'), 'the server row');
    expect(button(page.el, 'Rescan 10.0.0.5:3493')).toBeUndefined();
    await page.unmount();
  });
});
