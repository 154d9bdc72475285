/* The checker page's service worker (docs/fares.md "Checker"). Served by toki.transport.fares.views_checker at
   /fares/checker/sw.js, which (through toki/lib/service_worker.py) prepends TOKI_CACHE_VERSION, TOKI_SW_COMMON, TOKI_PRECACHE and TOKI_CHECKER_URL. Scope:
   /fares/checker/. The page: network first with a short timeout, the cached copy offline; static files: cache
   first (hashed names). The keys, the revocation list and the uses live in the page's IndexedDB, not here. */
/* global TOKI_SW_COMMON, TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_CHECKER_URL, TokiSW */
"use strict";

importScripts(TOKI_SW_COMMON);

/* Also the registry supporters' 安否 page's worker (toki/registry/views_safety_sync.py), which prepends its own
   page as TOKI_CHECKER_URL and its own cache name prefix (caches are shared by every worker of the origin). */
// TOKI_CACHE_PREFIX is declared only by the registry supporters' copy of this worker (views_safety_sync.py).
const PREFIX = typeof TOKI_CACHE_PREFIX === "string" ? TOKI_CACHE_PREFIX : "toki-fares-";
const CACHE = `${PREFIX}${TOKI_CACHE_VERSION}`;
const PAGE_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(TokiSW.install(CACHE, TOKI_PRECACHE.filter((url) => url !== TOKI_CHECKER_URL),
    [[TOKI_CHECKER_URL, CACHE]]));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(TokiSW.activate(PREFIX, [CACHE]));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === TOKI_CHECKER_URL && request.mode === "navigate") {
    event.respondWith(TokiSW.networkFirst(request, { cache: CACHE, key: TOKI_CHECKER_URL, timeoutMs: PAGE_TIMEOUT_MS }));
  } else if (TOKI_PRECACHE.includes(url.pathname)) {
    event.respondWith(TokiSW.cacheFirst(request, CACHE));
  }
});
