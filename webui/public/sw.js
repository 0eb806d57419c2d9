/*
 * PowerPulse's service worker (hand-written; registered by src/lib/kioskServiceWorker.ts as
 * /sw.js?v=<build>). It makes the UI installable and keeps a kiosk's last data on screen while
 * PowerPulse cannot be reached. Rules:
 * - same-origin GETs only: it never fetches anything from elsewhere;
 * - index.html (every navigation) is network-first, so a self-update shows the new UI at once;
 *   the cache is per build, and a new worker takes over immediately (skipWaiting/claim);
 * - hashed /assets/ are cache-first (their names change with their content);
 * - of the API only the public kiosk list is kept (network-first): nothing with an
 *   Authorization header, nothing else under /api/, and no server pages (/docs, /metrics).
 */
const BUILD = new URL(self.location.href).searchParams.get('v') || 'dev';
const PREFIX = 'powerpulse-';
const SHELL_CACHE = `${PREFIX}shell-${BUILD}`;
// The kiosk's data outlives a build: an update must not blank a wall that is offline.
const DATA_CACHE = `${PREFIX}kiosk-data`;
const KIOSK_API = '/api/ups-systems/kiosk';
const CACHED_AT = 'X-PowerPulse-Cached-At';
const SHELL = ['/', '/manifest.webmanifest', '/favicon.svg', '/theme-init.js', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];
const SERVER_PAGES = /^\/(api|docs|metrics)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // One by one: a missing icon must not stop the worker from installing.
      await Promise.all(SHELL.map((url) => cache.add(new Request(url, { cache: 'reload' })).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== SHELL_CACHE && name !== DATA_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** What the page loaded before this worker controlled it: its chunks and the kiosk's data. */
self.addEventListener('message', (event) => {
  const msg = event.data;
  if (!msg || msg.type !== 'powerpulse:cache' || !Array.isArray(msg.urls)) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      for (const raw of msg.urls.slice(0, 200)) {
        let url;
        try {
          url = new URL(raw, self.location.origin);
        } catch {
          continue;
        }
        if (url.origin !== self.location.origin) continue;
        try {
          if (url.pathname === KIOSK_API) await storeKiosk(await fetch(KIOSK_API, { headers: { Accept: 'application/json' } }));
          else if (url.pathname.startsWith('/assets/') && !(await cache.match(url.pathname))) await cache.add(url.pathname);
        } catch {
          /* offline again: next time */
        }
      }
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.headers.has('Authorization')) return;
  if (url.pathname === KIOSK_API) {
    event.respondWith(kioskData(event));
    return;
  }
  if (SERVER_PAGES.test(url.pathname)) return;
  if (req.mode === 'navigate') event.respondWith(page(req));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(cacheFirst(req));
  else if (SHELL.includes(url.pathname)) event.respondWith(networkFirst(req, url.pathname));
});

async function storeKiosk(res) {
  // Only the API's own answer: a sign-in proxy's HTML login page must not become "the last data".
  if (!res.ok || !(res.headers.get('Content-Type') || '').includes('application/json')) return;
  const headers = new Headers(res.headers);
  headers.set(CACHED_AT, String(Date.now()));
  const copy = new Response(await res.blob(), { status: res.status, statusText: res.statusText, headers });
  await (await caches.open(DATA_CACHE)).put(KIOSK_API, copy);
}

/** Tells the page whether its data is live or the kept copy (it says "Connection lost"). */
async function tell(event, fromCache, at) {
  const client = event.clientId ? await self.clients.get(event.clientId) : null;
  if (client) client.postMessage({ type: 'powerpulse:kiosk-data', fromCache, at });
}

async function kioskData(event) {
  let res = null;
  try {
    res = await fetch(event.request);
  } catch {
    res = null;
  }
  // A proxy's 502/504 while PowerPulse is down counts as unreachable too.
  if (res && res.status < 500) {
    if (res.ok) {
      event.waitUntil(storeKiosk(res.clone()));
      event.waitUntil(tell(event, false, null));
    }
    return res;
  }
  const hit = await (await caches.open(DATA_CACHE)).match(KIOSK_API);
  if (!hit) return res || Response.error();
  event.waitUntil(tell(event, true, Number(hit.headers.get(CACHED_AT)) || null));
  return hit;
}

async function page(req) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const res = await fetch(req);
    // Every client-side route is the same index.html: keep the newest as '/'.
    if (res.ok && (res.headers.get('Content-Type') || '').startsWith('text/html')) await cache.put('/', res.clone());
    // PowerPulse down behind a reverse proxy (its 502/504 page): the kept UI, which then says
    // "Connection lost" over the last data, rather than the proxy's error page.
    if (res.status >= 500) return (await cache.match('/')) || res;
    return res;
  } catch (err) {
    const hit = await cache.match('/');
    if (hit) return hit;
    throw err;
  }
}

async function cacheFirst(req) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

async function networkFirst(req, key) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw err;
  }
}
