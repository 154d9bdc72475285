/* Sending the tablet's events and fetching the roster (docs/shelter-ops-sync.md, docs/shelter-pwa.md "Sync").
   - Oldest first, at most `batch` events per request; an event leaves the outbox only after the server's
     answer for it (applied / duplicate → "sent", rejected → shown to staff). A lost answer means the same
     events are sent again: the server answers "duplicate", nothing is doubled.
   - No connection, a 5xx or 429: retry with exponential backoff (2 s … 30 s, with jitter); any sign of a
     connection (the "online" event, the page becoming visible, a new event) retries at once.
   - A rejected event is final: shown with its reason, never sent again. 400/413/422 (the body could not be read
     as a whole): the first event alone finds the one that breaks it, which is marked rejected.
   - 401/403: the session ended; the outbox waits, the page asks to log in again, and the roster is deleted from
     the tablet as at a logout (onLoggedOut).
   - One sender at a time per tablet (Web Locks where available), so two open tabs do not race (harmless
     anyway: the server is idempotent).
   Exposes window.TokiSync. */
(function () {
  "use strict";

  const MIN_DELAY = 2000;
  const MAX_DELAY = 30000;
  const PERIODIC = 30000;
  const ROSTER_EVERY = 120000; // a roster read is audited on the server: not more often than this when idle
  const UNREADABLE = [400, 413, 422]; // the server could not read the request body as a whole

  /* The local state an answer of the server gives an event: rejected (final), or sent. */
  function answer(result) {
    const rejected = result.status === "rejected" ||
      (result.status === "duplicate" && result.original_status === "rejected");
    return {
      state: rejected ? "rejected" : "sent",
      error: rejected ? (result.error || "rejected") : "",
      server_ids: result.server_ids || {},
    };
  }

  function create({ config, openingId, onStatus, onChange, onLoggedOut }) {
    const store = window.TokiStore;
    let running = false;
    let again = false;
    let failures = 0;
    let timer = null;
    let rosterAt = 0;
    let stopped = false; // after logout or the idle time: nothing is fetched again on this page
    const status = { state: "idle", loginNeeded: false, lastError: "", lastSuccess: 0 };

    function url(template) {
      return template.replace("{id}", encodeURIComponent(openingId));
    }

    function csrfToken() {
      const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return match ? decodeURIComponent(match[1]) : "";
    }

    function report(state, extra) {
      Object.assign(status, { state }, extra || {});
      onStatus(Object.assign({}, status));
    }

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(run, delay);
    }

    function backoff() {
      failures += 1;
      const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** (failures - 1));
      return Math.round(base / 2 + Math.random() * base / 2);
    }

    async function request(method, target, body) {
      const response = await fetch(target, {
        method,
        credentials: "same-origin",
        cache: "no-store",
        headers: Object.assign({ Accept: "application/json" }, body ? {
          "Content-Type": "application/json", "X-CSRFToken": csrfToken(),
        } : {}),
        body: body ? JSON.stringify(body) : undefined,
        redirect: "error",
      });
      if (response.status === 401 || response.status === 403) throw Object.assign(new Error("login"), { login: true });
      return response;
    }

    function wire(event) {
      return { id: event.id, type: event.type, occurred_at: event.occurred_at, payload: event.payload };
    }

    /* One POST; returns how many of `events` got an answer. The server answers each event on its own, and a
       rejection is final: the event is shown to staff with the reason and never sent again (security issue 13,
       finding 6). Only a body the server cannot read as a whole (400, 413, 422) has no per-event answers: the
       first event is then sent alone to find one that breaks the body, which is marked rejected ("malformed")
       here, so it cannot block the outbox. */
    async function sendBatch(events, deviceId) {
      const response = await request("POST", url(config.eventsUrl), { device_id: deviceId, events: events.map(wire) });
      if (UNREADABLE.includes(response.status)) {
        if (events.length > 1) return sendBatch(events.slice(0, 1), deviceId);
        await store.markAnswered({ [events[0].id]: { state: "rejected", error: "malformed" } });
        return 1;
      }
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { retry: true });
      const body = await response.json();
      const answers = {};
      const sent = new Set(events.map((event) => event.id));
      for (const result of body.results || []) {
        if (!sent.has(result.id)) continue; // the server echoes each id as sent; anything else is not ours
        answers[result.id] = answer(result);
      }
      await store.markAnswered(answers);
      return Object.keys(answers).length;
    }

    async function fetchRoster() {
      const requestedAt = Date.now();
      const response = await request("GET", url(config.rosterUrl));
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { retry: true });
      const data = await response.json();
      await store.saveRoster(openingId, data, requestedAt);
      rosterAt = Date.now();
    }

    let force = true;

    async function once() {
      const deviceId = await store.deviceId();
      let sent = 0;
      for (;;) {
        const batch = await store.pendingEvents(openingId, config.batch);
        if (!batch.length) break;
        report("sending");
        const answered = await sendBatch(batch, deviceId);
        failures = 0; // an answer proves the connection: the next failure starts the backoff afresh
        sent += answered;
        onChange();
        if (!answered) throw Object.assign(new Error("no answers"), { retry: true });
      }
      if (sent || force || Date.now() - rosterAt > ROSTER_EVERY) await fetchRoster();
      return sent;
    }

    async function run() {
      clearTimeout(timer);
      if (stopped) return;
      if (running) { again = true; return; }
      running = true;
      try {
        do {
          again = false;
          const job = () => once();
          if (navigator.locks) await navigator.locks.request(`toki-sync-${openingId}`, job);
          else await job();
        } while (again);
        failures = 0;
        force = false;
        report("idle", { loginNeeded: false, lastError: "", lastSuccess: Date.now() });
        schedule(PERIODIC);
      } catch (error) {
        if (error.login) {
          report("login", { loginNeeded: true, lastError: "login" });
          // The session has ended (logout in another tab, expiry): the roster goes as at a logout here.
          if (onLoggedOut) await onLoggedOut();
          schedule(MAX_DELAY); // a login in another tab fixes it; check now and then
        } else {
          report("offline", { lastError: String(error && error.message || error) });
          schedule(backoff());
        }
      } finally {
        running = false;
        onChange();
      }
    }

    window.addEventListener("online", () => { failures = 0; run(); });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) run(); });

    function refresh() { force = true; return run(); }

    /* Stop for good: no more sends or roster reads from this page (logout, idle); waits for a run in progress. */
    async function stop() {
      stopped = true;
      clearTimeout(timer);
      if (navigator.locks) await navigator.locks.request(`toki-sync-${openingId}`, async () => {});
    }

    return { run, refresh, stop, status: () => Object.assign({}, status) };
  }

  window.TokiSync = { create, answer };
})();
