/* The supporter's 安否 page's service worker (docs/registry.md "Supporters offline"). Served by
   toki.registry.views_safety_sync at /registry/safety/mine/sw.js, which prepends TOKI_CACHE_VERSION, TOKI_PRECACHE
   and TOKI_PAGE_URL. Scope: /registry/safety/mine/. The page (a shell with no registry data): network first
   with a short timeout, the cached copy offline; static files: cache first (hashed names). The list and the
   answers live in the page's IndexedDB, never in this cache; list.json and the events are never cached. */
/* global TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_PAGE_URL */
"use strict";

const CACHE = `toki-registry-safety-${TOKI_CACHE_VERSION}`;
const PAGE_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(TOKI_PRECACHE.filter((url) => url !== TOKI_PAGE_URL));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("toki-registry-safety-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/* The shell is cached only from a real answer (not a redirect to the login or second-factor page). */
async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([fetch(request), new Promise((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), PAGE_TIMEOUT_MS))]);
    if (response.ok && !response.redirected) await cache.put(TOKI_PAGE_URL, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(TOKI_PAGE_URL);
    if (cached) return cached;
    throw error;
  }
}

async function staticFile(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request)) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === TOKI_PAGE_URL && request.mode === "navigate") event.respondWith(page(request));
  else if (TOKI_PRECACHE.includes(url.pathname)) event.respondWith(staticFile(request));
});

/* Sign-out on the page clears the cached shell too. */
self.addEventListener("message", (event) => {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});
