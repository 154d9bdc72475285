/* The household tablet's service worker (docs/community.md). Served by toki.community.views_pwa at /tablet/sw.js,
   which (through toki/lib/service_worker.py) prepends TOKI_CACHE_VERSION, TOKI_SW_COMMON,
   TOKI_PRECACHE (hashed static URLs), TOKI_SCOPE (/tablet/), TOKI_ALERT_URL and
   TOKI_NO_CACHE (the poll and this worker). Scope: /tablet/.

   - tablet pages: network first with a short timeout; every good page is kept, so the last content (home, the
     lists, every article opened) is there offline; without a copy of the page asked for, the home page;
   - static files and attachments (PDFs): cache first;
   - the poll is never cached (an old alert state must never look current);
   - push: a notification that stays until touched, and every open window is told to show the full-screen alert. */
/* global TOKI_SW_COMMON, TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_SCOPE, TOKI_ALERT_URL, TOKI_NO_CACHE, TokiSW */
"use strict";

importScripts(TOKI_SW_COMMON);

const CACHE = `toki-home-${TOKI_CACHE_VERSION}`;
const PAGES = "toki-home-pages";  // kept across releases: the last content must survive an update
const TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(TokiSW.install(CACHE, TOKI_PRECACHE, [[TOKI_SCOPE, PAGES]]));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(TokiSW.activate("toki-home-", [CACHE, PAGES]));
});

function offline() {
  return new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || TOKI_NO_CACHE.includes(url.pathname)) return;
  if (TOKI_PRECACHE.includes(url.pathname)) {
    event.respondWith(TokiSW.cacheFirst(request, CACHE));
  } else if (url.pathname.startsWith(TOKI_SCOPE) && url.pathname.includes("/files/")) {
    event.respondWith(TokiSW.cacheFirst(request, PAGES));
  } else if (url.pathname.startsWith(TOKI_SCOPE) && request.mode === "navigate") {
    event.respondWith(TokiSW.networkFirst(request, {
      cache: PAGES, key: request.url, timeoutMs: TIMEOUT_MS, fallbacks: [TOKI_SCOPE], offline,
    }));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data.text() }; }
  const title = data.title || "Toki";
  event.waitUntil((async () => {
    await self.registration.showNotification(title, {
      body: data.short || data.body || "", tag: data.key || "toki-alert", renotify: true,
      requireInteraction: true, data: { url: TOKI_ALERT_URL },
      icon: TOKI_PRECACHE.find((u) => u.includes("icon-192")),
    });
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    windows.forEach((client) => client.postMessage({ type: "toki-alert", payload: data }));
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (client.url.includes(TOKI_SCOPE)) {
        client.postMessage({ type: "toki-alert", payload: {} });
        return client.focus();
      }
    }
    return self.clients.openWindow(TOKI_ALERT_URL);
  })());
});
