/* scorefield service worker (generated at build time from apps/web/sw-template.js: the asset list and
 * version are filled in by vite.config.ts). Precaches the built app so it works offline once loaded:
 * hashed assets cache-first, the page network-first (a new deployment shows at once when online).
 * Lookups ignore Vary: a server that answers with `Vary: Origin` (vite preview does) would otherwise
 * miss every cached response, whose request had no Origin header. */
const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const CACHE = `scorefield-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('scorefield-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page is served cross-origin isolated (COOP same-origin, COEP require-corp), whatever the host sends, so
// that the WASM core can run its threads (SharedArrayBuffer); the app's resources are all same-origin.
function isolated(res) {
  if (!res || res.type === 'error' || res.type === 'opaqueredirect') return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    event.respondWith(
      fetch(req)
        .catch(
          async () =>
            (await caches.match(req, { ignoreSearch: true, ignoreVary: true })) ??
            (await caches.match(new URL('./', self.registration.scope).href, { ignoreVary: true })) ??
            (await caches.match(new URL('./index.html', self.registration.scope).href, { ignoreVary: true })) ??
            Response.error(),
        )
        .then(isolated),
    );
    return;
  }
  event.respondWith(caches.match(req, { ignoreVary: true }).then((hit) => hit ?? fetch(req)));
});
