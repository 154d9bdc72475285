/* The shelter tablet page (docs/shelter-pwa.md). Everything on screen is computed from IndexedDB: the last roster
   snapshot from the server plus this tablet's own events folded on top, so the page is the same with or without
   a connection. Every action is an immutable event (store.js) sent by sync.js. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("tablet-config").textContent);
  const S = config.strings;
  const store = window.TokiStore;
  const QR_PREFIX = "TOKI-SHELTER:1:";
  const OUTBOX_ROWS = 100; // the oldest first; the count above says how many in all
  const $ = (id) => document.getElementById(id);

  const app = { openingId: null, opening: null, roster: null, events: [], view: null, sync: null,
                stopCamera: null, scanned: null, checkoutHousehold: null, toastTimer: null };

  function fmt(key, values) {
    return (S[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values && values[name] !== undefined ? values[name] : ""));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== false && value !== undefined && value !== null) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  async function sha256Hex(text) {
    if (!(crypto.subtle && crypto.subtle.digest)) return "";
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* ---- the local view: snapshot + events ------------------------------------------------------------------ */

  function fold(rosterData, events) {
    const households = new Map();
    for (const h of (rosterData && rosterData.households) || []) {
      if (h.removed) continue;
      households.set(h.id, Object.assign({}, h, { members: (h.members || []).map((m) => Object.assign({}, m)), pending: false }));
    }
    const cards = []; // QR check-ins this tablet could not match to a household yet
    const setState = (household, memberIds, state, when) => {
      for (const member of household.members) {
        if (memberIds && memberIds.length && !memberIds.includes(member.id)) continue;
        if (state === "checked_out" && member.state !== "checked_in") continue;
        member.state = state;
        member.state_at = when;
      }
    };
    for (const event of events) {
      if (event.state === "rejected") continue;
      const p = event.payload || {};
      const pending = event.state === "pending";
      const hid = p.household_id || (event.server_ids && event.server_ids.household_id) || event.local.household_id;
      let household = hid ? households.get(hid) : null;
      if (event.type === "register_household" && !household) {
        household = { id: p.household_id, qr: false, local: true, members: (p.members || []).map((m) => ({
          id: m.id, name: m.name || "", name_kana: m.name_kana || "", sex: m.sex || "unknown",
          birth_date: m.birth_date || null, care_needs: m.care_needs || [], state: "planned" })) };
        households.set(household.id, household);
      } else if (event.type === "update_household" && household) {
        for (const change of p.members || []) {
          const member = household.members.find((m) => m.id === change.id);
          if (member) Object.assign(member, change);
          else household.members.push(Object.assign({ state: "planned", care_needs: [] }, change));
        }
      } else if (event.type === "check_in") {
        if (household) setState(household, p.member_ids, "checked_in", event.occurred_at);
        else cards.push(event);
      } else if (event.type === "check_out" && household) {
        const state = p.destination === "other_shelter" && p.transfer_opening_id ? "transferred" : "checked_out";
        setState(household, p.member_ids, state, event.occurred_at);
      }
      if (household && pending) household.pending = true;
    }
    const list = Array.from(households.values());
    const inNow = (h) => h.members.filter((m) => m.state === "checked_in").length;
    return {
      households: list,
      byId: households,
      cards,
      peopleIn: list.reduce((sum, h) => sum + inNow(h), 0),
      householdsIn: list.filter((h) => inNow(h) > 0).length + cards.length,
      pending: events.filter((e) => e.state === "pending"),
      rejected: events.filter((e) => e.state === "rejected"),
    };
  }

  function householdName(h) {
    if (!h) return S.card_household;
    const first = h.members[0] || {};
    const name = first.name || first.name_kana || "—";
    return h.members.length > 1 ? fmt("and_others", { name, count: h.members.length - 1 }) : name;
  }

  function householdState(h) {
    const states = h.members.map((m) => m.state);
    for (const state of ["checked_in", "planned", "transferred", "checked_out"]) if (states.includes(state)) return state;
    return "planned";
  }

  async function reload() {
    if (app.openingId === null) return;
    const [roster, events] = await Promise.all([store.roster(app.openingId), store.eventsFor(app.openingId)]);
    app.roster = roster;
    app.events = events;
    app.view = fold(roster && roster.data, events);
    render();
  }

  /* ---- drawing ------------------------------------------------------------------------------------------- */

  function render() {
    const view = app.view;
    const opening = (app.roster && app.roster.data && app.roster.data.opening) || app.opening || {};
    $("shelter-name").textContent = opening.shelter_name || (opening.shelter && opening.shelter.name) || $("shelter-name").textContent;
    $("people-in").textContent = view.peopleIn;
    $("households-in").textContent = view.householdsIn;
    const button = $("unsynced");
    $("unsynced-count").textContent = view.pending.length;
    let label = view.pending.length ? fmt("not_synced", { count: view.pending.length }) : S.all_synced;
    if (view.rejected.length) label += ` / ${S.rejected}: ${view.rejected.length}`;
    $("unsynced-label").textContent = label;
    button.classList.toggle("has-pending", view.pending.length > 0);
    button.classList.toggle("has-rejected", view.rejected.length > 0);
    button.dataset.pending = view.pending.length;
    $("snapshot-age").textContent = app.roster
      ? fmt("last_update", { time: new Date(app.roster.fetched_at).toLocaleString() }) : S.never_updated;
    renderConnection();
    // The lists are drawn only while they are open: an action then costs the same with 5 or 500 events.
    if (!$("list-panel").hidden) renderRoster();
    if (!$("outbox-panel").hidden) renderOutbox();
  }

  function renderConnection() {
    const status = app.sync ? app.sync.status() : { state: "idle" };
    const pill = $("connection");
    const offline = status.state === "offline" || !navigator.onLine;
    // After the idle logout nothing syncs until someone logs in: the pill says so, never "connected".
    const loginNeeded = !!status.loginNeeded || app.loggedOutIdle === true;
    pill.classList.toggle("is-offline", offline && !loginNeeded);
    pill.classList.toggle("is-login", loginNeeded);
    pill.textContent = loginNeeded ? S.login_needed.split(/[.。]/)[0] : offline ? S.offline
      : status.state === "sending" ? S.syncing : S.online;
    pill.dataset.state = loginNeeded ? "login" : offline ? "offline" : "online";
    $("login-needed").hidden = !status.loginNeeded;
    $("login-needed-text").textContent = S.login_needed;
    $("login-link").href = config.loginUrl;
  }

  function stateBadge(state, pending) {
    return el("span", { class: `state state--${pending ? "local" : state}` }, S[state] + (pending ? ` · ${S.pending}` : ""));
  }

  function renderRoster() {
    const list = $("roster");
    const query = $("search").value.trim().toLowerCase();
    list.replaceChildren();
    const rows = app.view.households.filter((h) => !query || h.members.some((m) =>
      (m.name || "").toLowerCase().includes(query) || (m.name_kana || "").toLowerCase().includes(query)));
    const order = { checked_in: 0, planned: 1, transferred: 2, checked_out: 3 };
    rows.sort((a, b) => order[householdState(a)] - order[householdState(b)] || householdName(a).localeCompare(householdName(b), "ja"));
    for (const card of app.view.cards) {
      list.append(el("li", { "data-household": "card" },
        el("div", {}, el("p", { class: "household__name" }, S.card_household), stateBadge("checked_in", card.state === "pending"))));
    }
    for (const h of rows.slice(0, 300)) {
      const state = householdState(h);
      const here = h.members.filter((m) => m.state === "checked_in").length;
      const action = state === "checked_in"
        ? el("button", { type: "button", class: "big-button big-button--small", onclick: () => openCheckout(h.id) }, S.check_out)
        : el("button", { type: "button", class: "big-button big-button--small big-button--go", onclick: () => checkIn({ household_id: h.id }, h) }, S.check_in);
      list.append(el("li", { "data-household": h.id },
        el("div", {},
          el("p", { class: "household__name" }, householdName(h)),
          el("p", { class: "household__meta" }, stateBadge(state, h.pending), " ", fmt("people", { count: here || h.members.length }))),
        action));
    }
    if (!rows.length && !app.view.cards.length) list.append(el("li", {}, S.nobody));
  }

  function eventWho(event) {
    const p = event.payload || {};
    const h = app.view.byId.get(p.household_id || (event.server_ids && event.server_ids.household_id) || event.local.household_id);
    if (h) return householdName(h);
    if (event.type === "register_household") return (p.members && p.members[0] && (p.members[0].name || p.members[0].name_kana)) || "";
    return S.card_household;
  }

  function renderOutbox() {
    const list = $("outbox");
    list.replaceChildren();
    const shown = [...app.view.rejected, ...app.view.pending];
    for (const event of shown.slice(0, OUTBOX_ROWS)) {
      const time = new Date(event.occurred_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      const rejected = event.state === "rejected";
      const code = (event.error || "").split(":")[0];
      list.append(el("li", { class: rejected ? "is-rejected" : "", "data-event": event.id, "data-state": event.state },
        el("div", {},
          el("span", { class: "outbox__what" }, `${time} ${S[event.type] || event.type} — ${eventWho(event)}`),
          el("br"),
          rejected ? `${S.rejected}: ${S["error_" + code] || event.error}` : S.pending),
        rejected ? el("button", { type: "button", class: "big-button big-button--small", onclick: () => dismiss(event.id) }, S.dismiss) : null));
    }
    if (shown.length > OUTBOX_ROWS) list.append(el("li", {}, `… +${shown.length - OUTBOX_ROWS}`));
    if (!list.children.length) list.append(el("li", {}, S.all_synced));
  }

  function toast(text, warning) {
    const node = $("toast");
    node.textContent = text;
    node.classList.toggle("is-warning", !!warning);
    node.hidden = false;
    clearTimeout(app.toastTimer);
    app.toastTimer = setTimeout(() => { node.hidden = true; }, 8000);
  }

  function showPanel(id) {
    for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== id;
    for (const button of document.querySelectorAll(".action")) {
      button.classList.toggle("is-current", button.dataset.panel === id);
      button.setAttribute("aria-pressed", button.dataset.panel === id ? "true" : "false");
    }
    $("unsynced").setAttribute("aria-expanded", id === "outbox-panel" ? "true" : "false");
    if (id === "scan-panel") startScan(); else stopScan();
    if (app.view && id === "list-panel") renderRoster();
    if (app.view && id === "outbox-panel") renderOutbox();
    const panel = id && $(id);
    if (panel) panel.scrollIntoView({ block: "nearest" });
  }

  /* ---- actions: each one appends events, then redraws and tries to send ---------------------------------- */

  /* Save the events (durable once this resolves: the confirmation may be shown), then redraw and send. */
  async function record(drafts) {
    const saved = await store.addEvents(app.openingId, drafts);
    app.redrawn = reload().then(() => app.sync.run());
    return saved;
  }

  async function checkIn(payload, household, local) {
    await record([{ type: "check_in", payload, local: Object.assign({ household_id: household && household.id }, local || {}) }]);
    toast(fmt("checked_in_done", { name: householdName(household) }));
  }

  async function openCheckout(householdId) {
    app.checkoutHousehold = householdId;
    const h = app.view.byId.get(householdId);
    $("checkout-household").replaceChildren(el("p", { class: "household__name" }, householdName(h)));
    showPanel("checkout-panel");
  }

  async function checkOut(destination) {
    const h = app.view.byId.get(app.checkoutHousehold);
    if (!h) return;
    await record([{ type: "check_out", payload: { household_id: h.id, destination } }]);
    toast(fmt("checked_out_done", { name: householdName(h) }));
    showPanel("list-panel");
  }

  async function dismiss(id) {
    await store.removeEvent(id);
    await reload();
  }

  async function submitForm(event) {
    event.preventDefault();
    const form = $("quick-form");
    const kana = form.name_kana.value.trim();
    if (!kana) {
      $("form-error").textContent = S.kana_required;
      $("form-error").hidden = false;
      form.name_kana.focus();
      return;
    }
    $("form-error").hidden = true;
    const count = Number($("f-count").value || $("f-count").textContent) || 1;
    const householdId = store.uuid();
    const first = { id: store.uuid(), name_kana: kana, name: form.name.value.trim(),
                    sex: (form.querySelector("input[name=sex]:checked") || {}).value || "unknown",
                    care_needs: Array.from(form.querySelectorAll("input[name=care_needs]:checked"), (i) => i.value) };
    const members = [first];
    for (let i = 1; i < count; i += 1) members.push({ id: store.uuid() });
    await record([
      { type: "register_household", payload: { household_id: householdId, members } },
      { type: "check_in", payload: { household_id: householdId } },
    ]);
    toast(fmt("checked_in_done", { name: count > 1 ? fmt("and_others", { name: first.name || kana, count: count - 1 }) : first.name || kana }));
    form.reset();
    setCount(1);
  }

  function setCount(n) {
    const value = Math.max(1, Math.min(30, n));
    $("f-count").value = value;
    $("f-count").textContent = value;
  }

  /* ---- QR ---------------------------------------------------------------------------------------------- */

  async function startScan() {
    if (app.stopCamera) return;
    $("scan-result").hidden = true;
    $("scan-status").textContent = S.scanning;
    try {
      app.stopCamera = await window.TokiScanner.start($("camera"), onCode);
    } catch (error) {
      const name = error && error.name;
      $("scan-status").textContent = name === "NotAllowedError" ? S.camera_denied
        : name === "NotFoundError" || name === "OverconstrainedError" ? S.camera_missing : S.camera_error;
    }
  }

  function stopScan() {
    if (app.stopCamera) app.stopCamera();
    app.stopCamera = null;
  }

  async function onCode(text) {
    if (!text.startsWith(QR_PREFIX)) {
      $("scan-status").textContent = S.not_toki_card;
      return;
    }
    const token = text.slice(QR_PREFIX.length).trim();
    const hash = await sha256Hex(token);
    const known = (await store.getMeta("qr_households")) || {};
    // The snapshot may carry a hash of each household's token (never the token); this tablet also remembers
    // which household a card resolved to after it was sent.
    let household = app.view.households.find((h) => hash && h.qr_sha256 === hash) || app.view.byId.get(known[hash]) || null;
    app.scanned = { token, hash, household };
    const box = $("scan-household");
    const here = household && household.members.length && household.members.every((m) => m.state === "checked_in");
    box.replaceChildren(...[
      el("p", { class: "household__name" }, household ? householdName(household) : S.card_household),
      household ? el("p", { class: "household__meta" }, stateBadge(householdState(household), household.pending), " ",
        fmt("people", { count: household.members.length }), " ", household.members.map((m) => m.name_kana).filter(Boolean).join("、"))
        : el("p", { class: "household__meta" }, S.unknown_card),
      here ? el("p", { class: "household__meta" }, el("strong", {}, S.already_here)) : null].filter(Boolean));
    box.dataset.identified = household ? "yes" : "no";
    $("scan-result").hidden = false;
    $("scan-checkin").focus();
  }

  async function confirmScan() {
    const scanned = app.scanned;
    if (!scanned) return;
    app.scanned = null;
    $("scan-result").hidden = true;
    await checkIn({ qr_token: scanned.token }, scanned.household, { qr_sha256: scanned.hash });
    $("scan-status").textContent = S.scanning;
  }

  /* After a send, remember which household each card resolved to (hash → id), for the next scan offline. */
  async function learnCards() {
    const known = (await store.getMeta("qr_households")) || {};
    let changed = false;
    for (const event of app.events) {
      const hid = event.server_ids && event.server_ids.household_id;
      if (event.local.qr_sha256 && hid && known[event.local.qr_sha256] !== hid) {
        known[event.local.qr_sha256] = hid;
        changed = true;
      }
    }
    if (changed) await store.setMeta("qr_households", known);
  }

  /* ---- forgetting: logout, idle, session ended (docs/shelter-pwa.md "Logout and idle") ------------------- */

  const IDLE_MS = config.idleMinutes * 60000;
  const ACTIVITY_SAVE_MS = 30000; // the last touch is written to IndexedDB at most this often
  let lastActivity = Date.now();
  let activitySaved = 0;

  function touched() {
    lastActivity = Date.now();
    if (lastActivity - activitySaved > ACTIVITY_SAVE_MS) {
      activitySaved = lastActivity;
      store.setMeta("last_activity", lastActivity).catch(() => {});
    }
  }

  /* Delete the roster from this tablet and from the screen; events not sent yet stay. `why`: "logout", "idle",
     "session". After a logout or the idle time nothing is fetched again until someone logs in. */
  async function forget(why) {
    if (why !== "session" && app.sync) await app.sync.stop();
    await store.forgetPersonalData();
    app.roster = null;
    if (app.openingId !== null) await reload();
    if (why === "idle") {
      app.loggedOutIdle = true;
      $("forgotten").replaceChildren(fmt("idle_forgotten", { minutes: config.idleMinutes }), " ",
        el("a", { class: "big-link", href: config.loginUrl }, S.log_in));
      $("forgotten").hidden = false;
      showPanel(null);
    }
  }

  async function logOutServer() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    await fetch(config.logoutUrl, { method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": match ? decodeURIComponent(match[1]) : "" } }).catch(() => {});
  }

  async function idleCheck() {
    if (Date.now() - lastActivity < IDLE_MS || !$("forgotten").hidden) return;
    await forget("idle");
    await logOutServer(); // offline it fails: the session then ends by itself (SESSION_COOKIE_AGE)
    renderConnection();
  }

  async function logOut(event) {
    event.preventDefault();
    const form = event.target;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) form.elements.csrfmiddlewaretoken.value = decodeURIComponent(match[1]); // the cached page's may be old
    await forget("logout");
    form.submit();
  }

  /* ---- start ------------------------------------------------------------------------------------------- */

  async function loadOpenings() {
    try {
      const response = await fetch(config.openingsUrl, { credentials: "same-origin", cache: "no-store", redirect: "error" });
      if (response.ok) {
        const openings = await response.json();
        await store.setMeta("openings", openings);
        return openings;
      }
    } catch (error) { /* offline: the list saved last time */ }
    return (await store.getMeta("openings")) || [];
  }

  async function start() {
    const before = await store.getMeta("last_activity");
    if (before && Date.now() - before >= IDLE_MS) { // the tablet lay unused (or was closed) past the idle time
      await store.forgetPersonalData();
    }
    touched();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope }).catch(() => {});
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    const openings = (await loadOpenings()).filter((o) => o.status !== "closed");
    const saved = await store.getMeta("opening_id");
    app.opening = openings.find((o) => o.id === saved) || openings[0] || null;
    if (!app.opening) {
      $("no-opening").textContent = S.no_opening;
      $("no-opening").hidden = false;
      renderConnection();
      return;
    }
    app.openingId = app.opening.id;
    await store.setMeta("opening_id", app.openingId);
    $("opening-line").textContent = [app.opening.incident && app.opening.incident.name, app.opening.incident && app.opening.incident.is_drill ? `(${S.drill})` : ""].filter(Boolean).join(" ");
    app.sync = window.TokiSync.create({
      config, openingId: app.openingId,
      onStatus: () => renderConnection(),
      onChange: () => reload().then(learnCards),
      onLoggedOut: () => forget("session"),
    });
    await reload();
    app.sync.refresh();
  }

  document.querySelectorAll(".action").forEach((b) => b.addEventListener("click", () => {
    const target = b.dataset.panel;
    showPanel($(target).hidden ? target : null);
  }));
  $("unsynced").addEventListener("click", () => showPanel($("outbox-panel").hidden ? "outbox-panel" : null));
  $("sync-now").addEventListener("click", () => app.sync && app.sync.refresh());
  $("scan-checkin").addEventListener("click", confirmScan);
  $("scan-cancel").addEventListener("click", () => { app.scanned = null; $("scan-result").hidden = true; });
  $("checkout-cancel").addEventListener("click", () => showPanel("list-panel"));
  document.querySelectorAll("[data-destination]").forEach((b) => b.addEventListener("click", () => checkOut(b.dataset.destination)));
  document.querySelectorAll("[data-step]").forEach((b) => b.addEventListener("click", () =>
    setCount(Number($("f-count").textContent) + Number(b.dataset.step))));
  $("quick-form").addEventListener("submit", submitForm);
  $("search").addEventListener("input", () => app.view && renderRoster());
  window.addEventListener("online", renderConnection);
  window.addEventListener("offline", renderConnection);
  for (const type of ["pointerdown", "keydown", "touchstart"]) document.addEventListener(type, touched, { capture: true, passive: true });
  setInterval(() => { idleCheck().catch(() => {}); }, Math.min(IDLE_MS, 30000));
  $("logout-form").addEventListener("submit", (event) => { logOut(event).catch(() => event.target.submit()); });
  start().catch((error) => { console.warn("tablet start failed", error); });
})();
