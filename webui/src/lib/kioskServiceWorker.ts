/**
 * Registers public/sw.js (installable app; a kiosk keeps its last data while offline). The URL
 * carries this build's name so every build gets its own worker and cache: a self-update never
 * keeps an old UI.
 */
const CACHE_MESSAGE = 'powerpulse:cache';

/** The build's name: the hashed file name of the bundle this module is in. */
export function buildId(moduleUrl: string): string {
  const file = moduleUrl.split(/[?#]/)[0].split('/').pop() ?? '';
  return file.replace(/\.js$/, '') || 'dev';
}

/** What this page fetched before the worker ran (it missed those): chunks and the kiosk's data. */
function loadedUrls(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((u) => {
      const url = new URL(u, location.origin);
      return url.origin === location.origin && (url.pathname.startsWith('/assets/') || url.pathname === '/api/ups-systems/kiosk');
    });
}

export function registerServiceWorker(): void {
  // Not over plain http on a LAN address (browsers allow workers on https and localhost only).
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  const url = `/sw.js?v=${encodeURIComponent(buildId(import.meta.url))}`;
  sw.register(url, { scope: '/', updateViaCache: 'none' })
    .then(async () => {
      const reg = await sw.ready;
      const send = () => reg.active?.postMessage({ type: CACHE_MESSAGE, urls: loadedUrls() });
      send();
      // Chunks still loading when the worker took over: once more, a little later.
      setTimeout(send, 5_000);
    })
    .catch(() => {
      /* no worker: the UI works as before, only not offline */
    });
}
