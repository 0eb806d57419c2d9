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

/** A request the fake API received, its JSON body parsed. */
export interface SentRequest {
  method: string;
  url: string;
  body: unknown;
}

/** An answer: a status (200 unless said) and a JSON body. */
export interface Reply {
  status?: number;
  body: unknown;
}

export interface RecordingApi extends FakeApi {
  /** Every request with its body, in order. */
  sent: SentRequest[];
}

/**
 * Answers `"<METHOD> <url>"` (the url with its query) from `routes`: a reply, or a function of
 * the request giving one (404 when nothing matches). Records every request with its body.
 */
export async function startRecordingApi(routes: Record<string, Reply | ((req: SentRequest) => Reply)>): Promise<RecordingApi> {
  const sent: SentRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const entry: SentRequest = { method: req.method ?? '', url: req.url ?? '', body: raw ? JSON.parse(raw) : null };
      sent.push(entry);
      const route = routes[`${entry.method} ${entry.url}`];
      const reply = typeof route === 'function' ? route(entry) : (route ?? { status: 404, body: { message: 'Not found', error: 'not_found' } });
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (window as unknown as { happyDOM: { setURL: (u: string) => void } }).happyDOM.setURL(`http://127.0.0.1:${port}/`);
  return {
    sent,
    get requests() {
      return sent.map((r) => `${r.method} ${r.url}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sets an input's, textarea's or select's value as typing or choosing would (React sees it). */
export async function typeInto(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): Promise<void> {
  const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

/** The button whose text or aria-label is `label`. */
export function buttonNamed(root: HTMLElement, label: string): HTMLButtonElement | undefined {
  return [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === label || b.getAttribute('aria-label') === label);
}

/** The form control labelled `label` (by `<label for>`). */
export function controlLabelled<T extends HTMLElement = HTMLInputElement>(root: HTMLElement, label: string): T | null {
  const l = [...root.querySelectorAll('label')].find((x) => x.textContent?.trim() === label);
  const id = l?.getAttribute('for');
  return id ? (root.querySelector(`[id="${id}"]`) as T | null) : ((l?.querySelector('input, select, textarea') as T | null) ?? null);
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
