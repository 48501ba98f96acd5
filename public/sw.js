// The service worker: keeps the app shell so the app opens with no network at all.
// `cargo xtask build-web` fills in the version and the list of files of this build.
const VERSION = '{{VERSION}}';
const CACHE = `desmigratif-shell-${VERSION}`;
const SHELL = {{ASSETS}};

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  // The first install takes over at once; an update waits until the user agrees.
  if (!self.registration.active) self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('desmigratif-shell-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only the app's own files; the API and sync always go to the network.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/sync' || url.pathname === '/healthz') return;
  if (request.mode === 'navigate') {
    // Pages: the network when it answers, else the cached shell (the app routes itself).
    event.respondWith(fetch(request).catch(async () => (await caches.match('/index.html', { cacheName: CACHE }))));
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request, { cacheName: CACHE });
    return cached || fetch(request);
  })());
});
