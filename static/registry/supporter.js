/* A supporter's 安否 list (docs/registry.md "Supporters offline"): works offline. Reuses the shelter tablet's
   IndexedDB store (static/shelterops/store.js, under this page's own database: <html data-toki-store>) and its
   sync loop (static/shelterops/sync.js, unchanged; contract in docs/shelter-ops-sync.md): the "roster" is this
   supporter's list (list.json: the minimum fields), each answer an immutable event queued until the server
   answered it. Sign-out, or a session found ended, deletes the list from the phone (answers not sent stay).
   Exposes window.TokiSupporter = { ready, record(round, person, status, options) } for the browser test. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("supporter-config").textContent);
  const S = config.strings;
  const SCOPE = "registry-safety";
  const store = window.TokiStore;
  let sync = null;

  const $ = (id) => document.getElementById(id);

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "onclick") node.addEventListener("click", value);
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const key = (round, person) => `${round}:${person}`;

  /* The answers on this phone not yet in the saved list: the newest per person wins on the screen. A sent answer
     stays until a list fetched after it replaces it (store.saveRoster drops it then), so the screen never falls
     back to the older list in between. */
  async function localAnswers() {
    const events = await store.eventsFor(SCOPE);
    const newest = new Map();
    for (const event of events) newest.set(key(event.payload.round, event.payload.person), event);
    return newest;
  }

  function choice(name, values, labels) {
    return el("select", { name, "aria-label": labels.title },
      ...values.map((value) => el("option", { value }, labels[value])));
  }

  function card(line, local) {
    const id = key(line.round, line.person);
    const status = local ? local.payload.status : line.status;
    const body = el("section", { class: "person", "data-person": line.person, "data-round": line.round,
      "data-status": status, "data-local": local ? local.state : "" });
    body.append(el("h2", null, line.name, line.drill ? el("small", null, ` (${S.drill})`) : null));
    if (line.address) body.append(el("p", { class: "address" }, line.address));
    if (line.phone) body.append(el("p", null, el("a", { class: "call", href: `tel:${line.phone.replace(/[^0-9+]/g, "")}` },
      `${S.call} ${line.phone}`)));
    const state = el("p", { class: `state state--${status}` }, el("strong", null, S[`status_${status}`] || status));
    if (local && local.state === "pending") state.append(" · ", el("span", { class: "pending" }, S.pending));
    if (local && local.state === "rejected") {
      state.append(" · ", el("span", { class: "rejected" }, format(S.rejected, { error: local.error })));
    }
    if (!local && line.next_step) {
      state.append(" · ", el("span", { "data-next": line.next_step, class: line.due ? "due" : "" },
        format(S.next, { step: S[`step_${line.next_step}`] }), line.due ? ` (${S.due})` : ""));
    }
    body.append(state);
    const form = el("div", { class: "answer" });
    const sources = choice("source", config.sources, Object.assign({ title: S.who },
      Object.fromEntries(config.sources.map((s) => [s, S[`source_${s}`]]))));
    sources.value = "supporter";
    const relation = el("input", { name: "relation", type: "text", maxlength: "40", placeholder: S.relation,
      "aria-label": S.relation });
    const steps = choice("step", ["", ...config.steps], Object.assign({ title: S.how, "": "—" },
      Object.fromEntries(config.steps.map((s) => [s, S[`step_${s}`]]))));
    steps.value = line.next_step || "visit";
    form.append(el("div", { class: "how" }, sources, relation, steps));
    const buttons = el("div", { class: "buttons" });
    for (const value of config.statuses.filter((s) => s !== "unconfirmed")) {
      buttons.append(el("button", { type: "button", class: `status status--${value}`, "data-answer": value,
        onclick: () => record(line.round, line.person, value,
          { source: sources.value, relation: relation.value, step: steps.value }) }, S[`status_${value}`]));
    }
    form.append(buttons);
    body.append(el("details", { id: `answer-${id}` }, el("summary", null, S.record), form));
    return body;
  }

  async function render() {
    const saved = await store.roster(SCOPE);
    const list = $("list");
    if (!saved) {
      list.replaceChildren(el("p", { class: "notice" }, S.never_loaded));
    } else {
      const local = await localAnswers();
      const lines = saved.data.lines || [];
      list.replaceChildren(...(lines.length ? lines.map((line) => card(line, local.get(key(line.round, line.person))))
        : [el("p", null, S.empty)]));
    }
    const pending = await store.pendingEvents(SCOPE, 100000);
    $("unsent").textContent = pending.length ? format(S.unsent, { count: pending.length }) : S.all_sent;
    $("connection").textContent = navigator.onLine ? S.online : S.offline;
    document.documentElement.dataset.pending = String(pending.length);
  }

  async function record(round, person, status, options) {
    const opts = options || {};
    await store.addEvents(SCOPE, [{ type: "answer", payload: {
      round, person, status, source: opts.source || "supporter", relation: (opts.relation || "").trim(),
      step: opts.step || "",
    } }]);
    await render();
    if (sync) sync.run();
  }

  async function forget() {
    await store.forgetPersonalData(); // the service worker keeps only the shell and static files: no data
    await render();
  }

  async function signOut(event) {
    event.preventDefault();
    const form = event.target;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) form.elements.csrfmiddlewaretoken.value = decodeURIComponent(match[1]);
    if (sync) await sync.stop();
    await forget();
    form.submit();
  }

  async function start() {
    const saved = await store.roster(SCOPE);
    if (saved && saved.data && saved.data.user !== config.user) await store.forgetPersonalData(); // another account
    $("signout-form").addEventListener("submit", (event) => { signOut(event).catch(() => event.target.submit()); });
    sync = window.TokiSync.create({
      config: { eventsUrl: config.eventsUrl, rosterUrl: config.listUrl, batch: config.batch },
      openingId: SCOPE,
      onStatus: (status) => { $("login-needed").hidden = !status.loginNeeded; },
      onChange: render,
      onLoggedOut: forget,
    });
    window.addEventListener("online", render);
    window.addEventListener("offline", render);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope }).catch(() => {});
    }
    await render();
    sync.run();
  }

  window.TokiSupporter = { record, ready: start() };
})();
