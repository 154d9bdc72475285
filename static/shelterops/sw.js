/* The shelter tablet's service worker (docs/shelter-pwa.md). Served by toki.shelters.views_tablet.service_worker
   at /shelter-ops/sw.js, which (through toki/lib/service_worker.py) prepends TOKI_CACHE_VERSION, TOKI_SW_COMMON, TOKI_PRECACHE (this deployment's hashed static URLs,
   the tablet page and the manifest) and TOKI_TABLET_URL. Scope: /shelter-ops/.

   - install: precache the static files; the tablet page too when the staff member is logged in;
   - the tablet page: network first (with a short timeout, a shelter's connection is often bad), the cached copy
     when there is no answer; a good answer replaces the cached copy;
   - static files: cache first (their names carry a content hash);
   - the API is never cached here: the page keeps its data in IndexedDB and sends events itself. */
/* global TOKI_SW_COMMON, TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_TABLET_URL, TokiSW */
"use strict";

importScripts(TOKI_SW_COMMON);

const CACHE = `toki-shelter-${TOKI_CACHE_VERSION}`;
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(TokiSW.install(CACHE, TOKI_PRECACHE.filter((url) => url !== TOKI_TABLET_URL),
    [[TOKI_TABLET_URL, CACHE]]));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(TokiSW.activate("toki-shelter-", [CACHE]));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === TOKI_TABLET_URL && request.mode === "navigate") {
    event.respondWith(TokiSW.networkFirst(request, { cache: CACHE, key: TOKI_TABLET_URL, timeoutMs: PAGE_TIMEOUT_MS }));
  } else if (TOKI_PRECACHE.includes(url.pathname)) {
    event.respondWith(TokiSW.cacheFirst(request, CACHE));
  }
});
