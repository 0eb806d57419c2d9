// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, fieldError, request, setUnauthorizedHandler } from './client';
import { getToken, setSession } from './session';

// A real HTTP server on 127.0.0.1 answering like the api worker does.
let server: Server;
let seenAuth: string | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth = req.headers.authorization;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/ok') return send(200, { hello: 'world' });
    if (req.url === '/api/expired') return send(401, { message: 'Token is not valid', error: 'invalid_token' });
    if (req.url === '/api/limited') return send(429, { message: 'Too many login attempts, try again later', error: 'rate_limited' }, { 'Retry-After': '7' });
    if (req.url === '/api/bad') return send(400, { message: 'poll_interval must be a whole number', error: 'invalid_field' });
    if (req.url === '/api/bad-config') return send(400, { message: 'Topic is required', error: 'invalid_channel_config', field: 'config.topic' });
    if (req.url === '/api/undelivered')
      return send(502, { message: 'Error sending test notification: HTTP 404: Unknown Webhook', error: 'delivery_failed', channel: 'discord', reason: 'HTTP 404: Unknown Webhook' });
    return send(404, { message: 'Not found', error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (window as unknown as { happyDOM: { setURL: (u: string) => void } }).happyDOM.setURL(`http://127.0.0.1:${port}/dashboard`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('request', () => {
  it('sends the Bearer token and returns the JSON body', async () => {
    setSession('tok-1', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    expect(await request('/api/ok')).toEqual({ hello: 'world' });
    expect(seenAuth).toBe('Bearer tok-1');
  });

  it('anonymous calls carry no token', async () => {
    await request('/api/ok', { anonymous: true });
    expect(seenAuth).toBeUndefined();
  });

  it('a 401 ends the session and sends the user to the login page', async () => {
    setSession('tok-2', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    let redirected = 0;
    setUnauthorizedHandler(() => (redirected += 1));
    await expect(request('/api/expired')).rejects.toMatchObject({ status: 401, message: 'Token is not valid' });
    expect(getToken()).toBeNull();
    expect(redirected).toBe(1);
  });

  it('a 401 on an anonymous call (wrong password) keeps the page', async () => {
    setSession('tok-3', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    let redirected = 0;
    setUnauthorizedHandler(() => (redirected += 1));
    await expect(request('/api/expired', { anonymous: true })).rejects.toBeInstanceOf(ApiError);
    expect(getToken()).toBe('tok-3');
    expect(redirected).toBe(0);
  });

  it('429 carries Retry-After; 400 carries the API message and code', async () => {
    const limited = await request('/api/limited').catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429, retryAfter: 7, code: 'rate_limited' });
    const bad = await request('/api/bad').catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, message: 'poll_interval must be a whole number', code: 'invalid_field' });
  });

  it("keeps the field to fix (400) and a service's own reason (502)", async () => {
    const bad = await request('/api/bad-config').catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, field: 'config.topic', reason: null });
    expect(fieldError(bad, 'config.topic')).toBe('Topic is required');
    expect(fieldError(bad, 'name')).toBe('');
    const failed = await request('/api/undelivered').catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 502, code: 'delivery_failed', field: null, reason: 'HTTP 404: Unknown Webhook' });
  });

  it('an unreachable server is a network error, not a crash', async () => {
    const err = await request('http://127.0.0.1:1/api/ok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'network' });
  });
});
