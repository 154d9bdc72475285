/* The shelter tablet's service worker (docs/shelter-pwa.md). Served by toki.shelters.views_tablet.service_worker
   at /shelter-ops/sw.js, which prepends TOKI_CACHE_VERSION, TOKI_PRECACHE (this deployment's hashed static URLs,
   the tablet page and the manifest) and TOKI_TABLET_URL. Scope: /shelter-ops/.

   - install: precache the static files; the tablet page too when the staff member is logged in;
   - the tablet page: network first (with a short timeout, a shelter's connection is often bad), the cached copy
     when there is no answer; a good answer replaces the cached copy;
   - static files: cache first (their names carry a content hash);
   - the API is never cached here: the page keeps its data in IndexedDB and sends events itself. */
/* global TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_TABLET_URL */
"use strict";

const CACHE = `toki-shelter-${TOKI_CACHE_VERSION}`;
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const assets = TOKI_PRECACHE.filter((url) => url !== TOKI_TABLET_URL);
    await cache.addAll(assets);
    try {
      const page = await fetch(TOKI_TABLET_URL, { credentials: "same-origin", cache: "no-store" });
      if (page.ok && !page.redirected) await cache.put(TOKI_TABLET_URL, page);
    } catch (error) { /* offline while installing: the page is cached at its next load */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("toki-shelter-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function tabletPage(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request);
  try {
    const response = await withTimeout(network, PAGE_TIMEOUT_MS);
    // Only a real page is kept: not the login page after a redirect, not an error.
    if (response.ok && !response.redirected) await cache.put(TOKI_TABLET_URL, response.clone());
    if (response.status >= 500) {
      const cached = await cache.match(TOKI_TABLET_URL);
      if (cached) return cached;
    }
    return response;
  } catch (error) {
    const cached = await cache.match(TOKI_TABLET_URL);
    if (cached) {
      // Keep the late answer, if it comes, for next time.
      network.then((late) => (late.ok && !late.redirected ? cache.put(TOKI_TABLET_URL, late) : null)).catch(() => {});
      return cached;
    }
    return network;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === TOKI_TABLET_URL && request.mode === "navigate") {
    event.respondWith(tabletPage(request));
  } else if (TOKI_PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
