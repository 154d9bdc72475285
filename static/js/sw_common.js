/* Caching helpers shared by Toki's service workers (the shelter tablet, the household tablet, the fares checker,
   the driver's tablet), loaded first with importScripts(TOKI_SW_COMMON). The worker's view
   (toki/lib/service_worker.py) prepends TOKI_CACHE_VERSION and the worker's own constants.

   - install(cacheName, assets, pages): precache the hashed static files, then the pages (each [url, cacheName])
     when they answer well; offline while installing, a page is kept at its next load;
   - activate(prefix, keep): drop this worker's caches of older releases (names starting with `prefix`), except
     those named in `keep`;
   - networkFirst(request, {cache, key, timeoutMs, fallbacks, offline}): a page from the network with a short
     timeout (a shelter's or a bus's connection is often bad); a good answer (not a redirect to the login page,
     not an error) replaces the copy under `key`; no answer in time or a 5xx: the copy under `key`, else the first
     of `fallbacks` that is cached, else `offline()` when given, else the network's own answer or failure; a late
     good answer is still kept for next time;
   - cacheFirst(request, cacheName): static files (their names carry a content hash).
   Exposes self.TokiSW. */
/* global TOKI_CACHE_VERSION */
"use strict";

self.TokiSW = (function () {
  function withTimeout(promise, ms) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), ms);
      promise.then((value) => { clearTimeout(timer); resolve(value); },
        (error) => { clearTimeout(timer); reject(error); });
    });
  }

  function keepable(response) {
    return response.ok && !response.redirected;
  }

  function install(cacheName, assets, pages) {
    return (async () => {
      await (await caches.open(cacheName)).addAll(assets);
      for (const [url, name] of pages || []) {
        try {
          const page = await fetch(url, { credentials: "same-origin", cache: "no-store" });
          if (keepable(page)) await (await caches.open(name || cacheName)).put(url, page);
        } catch (error) { /* offline while installing: the page is kept at its next load */ }
      }
      await self.skipWaiting();
    })();
  }

  function activate(prefix, keep) {
    return (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(prefix) && !keep.includes(name))
        .map((name) => caches.delete(name)));
      await self.clients.claim();
    })();
  }

  async function cachedCopy(cache, keys) {
    for (const key of keys) {
      const found = await cache.match(key);
      if (found) return found;
    }
    return null;
  }

  async function networkFirst(request, options) {
    const cache = await caches.open(options.cache);
    const key = options.key || request.url;
    const copies = [key].concat(options.fallbacks || []);
    const network = fetch(request);
    try {
      const response = await withTimeout(network, options.timeoutMs);
      if (keepable(response)) await cache.put(key, response.clone());
      if (response.status >= 500) return (await cachedCopy(cache, [key])) || response;
      return response;
    } catch (error) {
      network.then((late) => (keepable(late) ? cache.put(key, late) : null)).catch(() => {});
      const cached = await cachedCopy(cache, copies);
      if (cached) return cached;
      if (options.offline) return options.offline();
      return network;
    }
  }

  async function cacheFirst(request, cacheName) {
    const cache = await caches.open(cacheName);
    const cached = await cache.match(request);
    if (cached) return cached;
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  }

  return { install, activate, networkFirst, cacheFirst, withTimeout };
})();
