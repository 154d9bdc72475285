/* The household tablet's service worker (docs/community.md). Served by toki.community.views_pwa at /tablet/sw.js,
   which prepends TOKI_CACHE_VERSION, TOKI_PRECACHE (hashed static URLs), TOKI_SCOPE (/tablet/), TOKI_ALERT_URL and
   TOKI_NO_CACHE (the poll and this worker). Scope: /tablet/.

   - tablet pages: network first with a short timeout; every good page is kept, so the last content (home, the
     lists, every article opened) is there offline; without a copy of the page asked for, the home page;
   - static files and attachments (PDFs): cache first;
   - the poll is never cached (an old alert state must never look current);
   - push: a notification that stays until touched, and every open window is told to show the full-screen alert. */
/* global TOKI_CACHE_VERSION, TOKI_PRECACHE, TOKI_SCOPE, TOKI_ALERT_URL, TOKI_NO_CACHE */
"use strict";

const CACHE = `toki-home-${TOKI_CACHE_VERSION}`;
const PAGES = "toki-home-pages";  // kept across releases: the last content must survive an update
const TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(TOKI_PRECACHE);
    try {
      const home = await fetch(TOKI_SCOPE, { credentials: "same-origin", cache: "no-store" });
      if (home.ok && !home.redirected) await (await caches.open(PAGES)).put(TOKI_SCOPE, home);
    } catch (error) { /* offline while installing: kept at the next load */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("toki-home-") && n !== CACHE && n !== PAGES)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

function timeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

async function page(request) {
  const pages = await caches.open(PAGES);
  const network = fetch(request);
  try {
    const response = await timeout(network, TIMEOUT_MS);
    if (response.ok && !response.redirected) await pages.put(request.url, response.clone());
    if (response.status >= 500) return (await pages.match(request.url)) || response;
    return response;
  } catch (error) {
    network.then((late) => (late.ok && !late.redirected ? pages.put(request.url, late) : null)).catch(() => {});
    return (await pages.match(request.url)) || (await pages.match(TOKI_SCOPE)) ||
      new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}

async function cacheFirst(request, name) {
  const cache = await caches.open(name);
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
  if (url.origin !== self.location.origin || TOKI_NO_CACHE.includes(url.pathname)) return;
  if (TOKI_PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, CACHE));
  } else if (url.pathname.startsWith(TOKI_SCOPE) && url.pathname.includes("/files/")) {
    event.respondWith(cacheFirst(request, PAGES));
  } else if (url.pathname.startsWith(TOKI_SCOPE) && request.mode === "navigate") {
    event.respondWith(page(request));
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
