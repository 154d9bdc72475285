/* The checker page's service worker (docs/fares.md "Checker"). Served by toki.transport.fares.views_checker at
   /fares/checker/sw.js, which prepends TOKI_CACHE_VERSION, TOKI_PRECACHE and TOKI_CHECKER_URL. Scope:
   /fares/checker/. The page: network first with a short timeout, the cached copy offline; static files: cache
   first (hashed names). The keys, the revocation list and the uses live in the page's IndexedDB, not here. */
/* global TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_CHECKER_URL */
"use strict";

/* Also the registry supporters' 安否 page's worker (toki/registry/views_safety_sync.py), which prepends its own
   page as TOKI_CHECKER_URL and its own cache name prefix (caches are shared by every worker of the origin). */
const PREFIX = typeof self.TOKI_CACHE_PREFIX === "string" ? self.TOKI_CACHE_PREFIX : "toki-fares-";
const CACHE = `${PREFIX}${TOKI_CACHE_VERSION}`;
const PAGE_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(TOKI_PRECACHE.filter((url) => url !== TOKI_CHECKER_URL));
    try {
      const page = await fetch(TOKI_CHECKER_URL, { credentials: "same-origin", cache: "no-store" });
      if (page.ok && !page.redirected) await cache.put(TOKI_CHECKER_URL, page);
    } catch (error) { /* cached at the next load */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([fetch(request), new Promise((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), PAGE_TIMEOUT_MS))]);
    if (response.ok && !response.redirected) await cache.put(TOKI_CHECKER_URL, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(TOKI_CHECKER_URL);
    if (cached) return cached;
    throw error;
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
  if (url.pathname === TOKI_CHECKER_URL && request.mode === "navigate") event.respondWith(page(request));
  else if (TOKI_PRECACHE.includes(url.pathname)) event.respondWith(cacheFirst(request));
});
