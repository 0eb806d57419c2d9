/**
 * For component tests: a real HTTP server answering like the api worker (the fetch of the UI's
 * api/ module goes to it), and real providers (TanStack Query, router, React DOM).
 */
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import type { StatusModel } from '../types';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export type Routes = Record<string, unknown>;

export interface FakeApi {
  /** "GET /api/…" of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Answers `GET <path>` with `routes[path]` as JSON (404 otherwise); the page's URL points at it. */
export async function startApi(routes: Routes): Promise<FakeApi> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = req.method === 'GET' ? routes[req.url ?? ''] : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body ?? { message: 'Not found', error: 'not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (window as unknown as { happyDOM: { setURL: (u: string) => void } }).happyDOM.setURL(`http://127.0.0.1:${port}/`);
  return { requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Mounted {
  el: HTMLElement;
  client: QueryClient;
  root: Root;
  unmount(): Promise<void>;
}

export async function mount(node: ReactNode, client = new QueryClient({ defaultOptions: { queries: { retry: false } } }), path = '/'): Promise<Mounted> {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const root = createRoot(el);
  await act(async () => {
    root.render(
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[path]}>{node}</MemoryRouter>
      </QueryClientProvider>,
    );
  });
  return {
    el,
    client,
    root,
    unmount: async () => {
      await act(async () => root.unmount());
      el.remove();
    },
  };
}

/** Waits (letting React and the query library run) until `find` returns something. */
export async function until<T>(find: () => T | null | undefined | false, what = 'condition'): Promise<T> {
  for (let i = 0; i < 150; i++) {
    const found = find();
    if (found) return found;
    await act(() => new Promise((r) => setTimeout(r, 20)));
  }
  throw new Error(`never happened: ${what}`);
}

/** As `GET /api/status-model` answers (typed by the OpenAPI document), trimmed to what is read. */
export const STATUS_MODEL: StatusModel = {
  powerStates: [],
  conditions: [],
  tokens: [],
  severities: ['unknown', 'ok', 'info', 'warning', 'critical'],
  buckets: [
    { code: 'online', label: 'Online' },
    { code: 'onBattery', label: 'On battery' },
    { code: 'alarm', label: 'Needs attention' },
    { code: 'unknown', label: 'Unknown' },
  ],
};
