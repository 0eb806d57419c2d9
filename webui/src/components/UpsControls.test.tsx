// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { setSession } from '../api/session';
import { UpsControls } from './UpsControls';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// A real HTTP server answering like the api worker; it records what the panel sends.
let server: Server;
const sent: { method: string; url: string; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/api/ups-systems/7/commands') {
        return send(200, {
          credentials: true,
          commands: [
            { name: 'beeper.mute', description: 'Temporarily mute the beeper', warning: null },
            { name: 'load.off', description: 'Turn off the load immediately', warning: 'load.off cuts power to everything plugged into the UPS' },
          ],
        });
      }
      if (req.method === 'GET' && req.url === '/api/ups-systems/7/variables') {
        return send(200, {
          credentials: true,
          variables: [{ name: 'ups.delay.shutdown', value: '20', description: 'Shutdown delay', type: 'number', maxLength: null, options: [], ranges: [] }],
        });
      }
      sent.push({ method: req.method ?? '', url: req.url ?? '', body: raw ? JSON.parse(raw) : null });
      const body = raw ? JSON.parse(raw) : {};
      if (req.url === '/api/ups-systems/7/commands') return send(200, { message: `${body.command} sent to ups1` });
      if (req.url?.startsWith('/api/ups-systems/7/variables/')) return send(400, { message: 'Must be a number', error: 'validation_error', field: 'value' });
      return send(404, { message: 'Not found', error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (window as unknown as { happyDOM: { setURL: (u: string) => void } }).happyDOM.setURL(`http://127.0.0.1:${port}/ups-systems/7`);
  setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
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

function button(root: HTMLElement, label: string): HTMLButtonElement | undefined {
  return [...root.querySelectorAll('button')].find((b) => b.textContent === label || b.getAttribute('aria-label') === label);
}

describe('UpsControls', () => {
  it('runs a harmless command at once, and a load-cutting one only after a confirmation', async () => {
    const el = document.createElement('div');
    document.body.appendChild(el);
    const root = createRoot(el);
    await act(async () => {
      root.render(
        <QueryClientProvider client={new QueryClient()}>
          <UpsControls upsId={7} />
        </QueryClientProvider>,
      );
    });
    expect(el.querySelector('[data-testid="ups-commands"]')).toBeNull(); // nothing asked until opened
    const details = el.querySelector('details') as HTMLDetailsElement;
    await act(async () => {
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
    });

    await act(async () => (await until(() => button(el, 'Run beeper.mute'))).click());
    await until(() => el.textContent?.includes('beeper.mute sent to ups1'));
    expect(sent).toEqual([{ method: 'POST', url: '/api/ups-systems/7/commands', body: { command: 'beeper.mute', confirm: false } }]);

    await act(async () => button(el, 'Run load.off')!.click());
    expect(el.textContent).toContain('load.off cuts power to everything plugged into the UPS. Are you sure?');
    expect(sent).toHaveLength(1); // the first click only asks
    await act(async () => button(el, 'Run load.off')!.click());
    await until(() => el.textContent?.includes('load.off sent to ups1'));
    expect(sent[1]).toEqual({ method: 'POST', url: '/api/ups-systems/7/commands', body: { command: 'load.off', confirm: true } });

    // A setting: the server's refusal is shown next to it.
    const input = await until(() => el.querySelector<HTMLInputElement>('[data-testid="ups-variables"] input'));
    expect(input.value).toBe('20');
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(input, '45');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => button(el, 'Save')!.click());
    await until(() => el.textContent?.includes('Must be a number'));
    expect(sent[2]).toEqual({ method: 'PUT', url: '/api/ups-systems/7/variables/ups.delay.shutdown', body: { value: '45' } });
    await act(async () => root.unmount());
  });
});
