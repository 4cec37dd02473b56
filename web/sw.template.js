// Yingxiao's service worker: keeps the app shell in the Cache API so the app starts with no network.
// Written into each build from web/sw.template.js by trunk's post-build hook (scripts/service-worker.sh),
// which fills in the files trunk produced and a version derived from their contents. Every URL is
// relative to the worker's scope, so the same build works at `/` and under a base path (`/yingxiao/`).
'use strict';

/** Changes whenever any shell file changes, so every build gets its own cache. */
const VERSION = '__VERSION__';
/** The shell, relative to the scope. `./` is index.html as the server sends it, `<base href>` rewritten. */
const SHELL = ['__SHELL__'];
/** What the page posts when the user asks to switch to this version now (src/sw.rs). */
const SKIP_WAITING = 'skip-waiting';

const SCOPE = new URL(self.registration.scope);
// Caches belong to the origin, not the scope: the scope in the name keeps two mounts apart.
const CACHE_PREFIX = `yingxiao-shell ${SCOPE.pathname} `;
const CACHE = CACHE_PREFIX + VERSION;
const INDEX = new URL('./', SCOPE).href;
const PRECACHED = new Set(SHELL.map((path) => new URL(path, SCOPE).href));
const API = new URL('api/', SCOPE).pathname;

/** Where the page leaves its copy of the wasm it downloaded (the loader in Trunk.toml). */
const BOOT = 'yingxiao-boot';

self.addEventListener('install', (event) => {
  // Not activated at once: a page running the previous version keeps it until the user reloads.
  event.waitUntil(precache());
});

/**
 * Stores the shell in this version's cache. A file the page has just downloaded is taken from its copy
 * instead of being downloaded again (WebKit's install does not find it in the HTTP cache). All or
 * nothing: nothing is stored unless every file is there, and if one fails the worker is not installed
 * and the browser tries again later.
 */
async function precache() {
  const boot = await caches.open(BOOT);
  const files = await Promise.all(
    [...PRECACHED].map(async (url) => {
      const response = (await boot.match(url)) ?? (await fetch(url));
      if (!response.ok) throw new TypeError(`${url}: ${response.status}`);
      return [url, response];
    }),
  );
  const cache = await caches.open(CACHE);
  await Promise.all(files.map(([url, response]) => cache.put(url, response)));
  await caches.delete(BOOT);
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const stale = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE);
      await Promise.all(stale.map((name) => caches.delete(name)));
      // The first visit is controlled at once, so it works offline without a reload.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === SKIP_WAITING) self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  // The API always goes to the network and is never cached: data comes from sync, not from here.
  if (url.pathname.startsWith(API) || `${url.pathname}/` === API) return;
  if (request.mode === 'navigate' && isClientRoute(url)) {
    event.respondWith(shell(request));
  } else if (PRECACHED.has(url.href)) {
    event.respondWith(cacheFirst(request));
  }
  // Anything else (a file of another version, a query string) is the network's as if we were not here.
});

/** Like the server: an extensionless path is a client route, answered by index.html. */
function isClientRoute(url) {
  const last = url.pathname.slice(SCOPE.pathname.length).split('/').pop();
  return !last.includes('.') || last === 'index.html';
}

/**
 * Client routes are cache-first: the cached index.html belongs to this worker's version, and the hashed
 * files it names are in the same cache, so the app starts at once on a slow or absent network and never
 * mixes versions. Freshness comes from the browser re-checking sw.js (served `no-cache`) on navigation:
 * a new build installs a new worker, and the page offers to reload into it.
 */
async function shell(request) {
  const cached = await caches.open(CACHE).then((cache) => cache.match(INDEX));
  return cached ?? fetch(request);
}

/** Shell files never change under their name within one version (trunk hashes the wasm, js and css). */
async function cacheFirst(request) {
  const cached = await caches.open(CACHE).then((cache) => cache.match(request));
  return cached ?? fetch(request);
}
