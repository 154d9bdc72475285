/* The driver's tablet's service worker (docs/rides.md "The driver's tablet"). Served by
   toki.transport.rides.views_driver.service_worker at /rides/driver/sw.js, which (through
   toki/lib/service_worker.py) prepends TOKI_CACHE_VERSION, TOKI_SW_COMMON, TOKI_PRECACHE and TOKI_DRIVER_URL.
   Scope: /rides/driver/. The page: network first with a short timeout (a bus in the mountains), the cached copy
   offline; static files: cache first. The plan and the marks live in the page's IndexedDB, never here. */
/* global TOKI_SW_COMMON, TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_DRIVER_URL, TokiSW */
"use strict";

importScripts(TOKI_SW_COMMON);

const CACHE = `toki-driver-${TOKI_CACHE_VERSION}`;
const PAGE_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(TokiSW.install(CACHE, TOKI_PRECACHE.filter((url) => url !== TOKI_DRIVER_URL),
    [[TOKI_DRIVER_URL, CACHE]]));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(TokiSW.activate("toki-driver-", [CACHE]));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === TOKI_DRIVER_URL && request.mode === "navigate") {
    event.respondWith(TokiSW.networkFirst(request, { cache: CACHE, key: TOKI_DRIVER_URL, timeoutMs: PAGE_TIMEOUT_MS }));
  } else if (TOKI_PRECACHE.includes(url.pathname)) {
    event.respondWith(TokiSW.cacheFirst(request, CACHE));
  }
});
