/* The fares checker page (docs/fares.md "Checker"): verify a resident card or pass offline, record each use as an
   immutable event and sync it later. Reuses the shelter tablet's IndexedDB store and sync loop
   (static/shelterops/store.js under its own database, static/shelterops/sync.js unchanged; contract in
   docs/shelter-ops-sync.md): the "roster" this page downloads is the revocation list.
   Exposes window.TokiChecker = { check(text), ready } for the browser test and the benchmark. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("checker-config").textContent);
  const S = config.strings;
  const SCOPE = "fares-checker";
  const store = window.TokiStore;
  const verifier = window.TokiFareVerify;
  let keys = new Map();
  let revoked = new Set();
  let sync = null;

  const $ = (id) => document.getElementById(id);

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  async function loadKeys() {
    if (navigator.onLine) {
      try {
        const response = await fetch(config.jwksUrl, { cache: "no-store", credentials: "same-origin" });
        if (response.ok) await store.setMeta("jwks", await response.json());
      } catch (error) { /* offline: the saved keys are used */ }
    }
    const jwks = await store.getMeta("jwks");
    keys = jwks ? await verifier.importKeys(jwks) : new Map();
    $("keys-missing").hidden = keys.size > 0;
  }

  async function loadRevoked() {
    const saved = await store.roster(SCOPE);
    revoked = new Set((saved && saved.data && saved.data.revoked) || []);
  }

  async function refreshCounts() {
    const pending = await store.pendingEvents(SCOPE, 100000);
    $("unsent").textContent = pending.length ? format(S.unsent, { count: pending.length }) : S.all_sent;
    $("connection").textContent = navigator.onLine ? S.online : S.offline;
  }

  async function usedHere(jti) {
    const events = await store.eventsFor(SCOPE);
    return events.some((event) => event.payload && event.payload.jti === jti);
  }

  function show(result) {
    const box = $("result");
    box.hidden = false;
    box.className = "result " + (result.ok ? "result--ok" : "result--bad");
    $("result-title").textContent = result.ok ? S.valid : S.invalid;
    const claims = result.claims || {};
    const lines = [];
    if (claims.kind) lines.push(S["kind_" + claims.kind] || claims.kind);
    if (result.ok && claims.kind === "card") lines.push(S.resident);
    if (claims.exp) lines.push(format(S.until, { time: new Date(claims.exp * 1000).toLocaleString() }));
    if (!result.ok) lines.push(S["error_" + result.error] || result.error);
    $("result-detail").textContent = lines.join(" · ");
    box.dataset.state = result.ok ? "valid" : result.error;
  }

  /* Verify `text` and, when valid, record its use. Returns the result with the time verification took (ms). */
  async function check(text) {
    const started = performance.now();
    let result = await verifier.verify(text, keys, revoked, Date.now());
    const elapsed = performance.now() - started;
    if (result.ok && result.claims.kind === "single" && await usedHere(result.claims.jti)) {
      result = { ok: false, error: "used", claims: result.claims };
    }
    if (result.claims && (result.ok || result.error === "used")) {
      await store.addEvents(SCOPE, [{ type: "use", payload: {
        jti: result.claims.jti, kind: result.claims.kind, place: $("place").value,
      } }]);
      if (sync) sync.run();
    }
    show(result);
    await refreshCounts();
    return Object.assign({ ms: elapsed }, result);
  }

  async function start() {
    document.documentElement.dataset.webcrypto = (await verifier.supported()) ? "ed25519" : "none";
    if (document.documentElement.dataset.webcrypto === "none") $("unsupported").hidden = false;
    const place = await store.getMeta("place");
    if (place) $("place").value = place;
    $("place").addEventListener("change", () => store.setMeta("place", $("place").value));
    await loadKeys();
    await loadRevoked();
    $("check-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      await check($("code").value);
      $("code").value = "";
    });
    let stopCamera = null;
    $("scan").addEventListener("click", async () => {
      if (stopCamera) { stopCamera(); stopCamera = null; $("video").hidden = true; return; }
      $("video").hidden = false;
      try {
        stopCamera = await window.TokiScanner.start($("video"), (text) => check(text));
      } catch (error) {
        $("video").hidden = true;
      }
    });
    sync = window.TokiSync.create({
      config: { eventsUrl: config.usesUrl, rosterUrl: config.revokedUrl, batch: config.batch },
      openingId: SCOPE,
      onStatus: (status) => { $("login-needed").hidden = !status.loginNeeded; },
      onChange: async () => { await loadRevoked(); await refreshCounts(); },
      onLoggedOut: null,
    });
    window.addEventListener("online", () => { loadKeys(); refreshCounts(); });
    window.addEventListener("offline", refreshCounts);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope }).catch(() => {});
    }
    await refreshCounts();
    sync.run();
  }

  window.TokiChecker = { check, ready: start() };
})();
