/* The driver's tablet (docs/rides.md "The driver's tablet"): today's plan of the vehicle, stop by stop, with who
   boards and who gets off; marks (boarded, not there, dropped off) recorded as immutable events and synced later.
   Reuses the shelter tablet's IndexedDB store and sync loop (static/shelterops/store.js under its own database,
   static/shelterops/sync.js unchanged; contract in docs/shelter-ops-sync.md): the "roster" it downloads is the
   plan, kept for offline reading. While the page is open it shares the vehicle's position once a minute.
   Exposes window.TokiDriver = { ready, render } for the browser test. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("driver-config").textContent);
  const S = config.strings;
  const SCOPE = config.scope;
  const store = window.TokiStore;
  const MARKED = { boarded: "boarded", no_show: "no_show", dropped_off: "completed" };
  let sync = null;
  let latestFix = null;
  let sentFixAt = 0;

  const $ = (id) => document.getElementById(id);

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  function hhmm(iso) {
    return iso ? iso.slice(11, 16) : ""; // the server sends local times with their offset
  }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  /* booking id -> the last mark made on this tablet that the office has not refused. */
  async function localMarks() {
    const marks = new Map();
    const rejected = [];
    for (const event of await store.eventsFor(SCOPE)) {
      if (event.state === "rejected") rejected.push(event);
      else marks.set(event.payload.booking, event);
    }
    return { marks, rejected };
  }

  function statusOf(person, marks) {
    const mark = marks.get(person.booking);
    if (mark && person.status !== "completed" && person.status !== "no_show") {
      return { status: MARKED[mark.type], local: mark.state === "pending" };
    }
    return { status: person.status, local: false };
  }

  function markButton(kind, person, primary) {
    const button = element("button", { type: "button", class: primary ? "mark mark--go" : "mark mark--no",
      "data-booking": String(person.booking), "data-kind": kind, text: S[kind] });
    button.addEventListener("click", () => mark(kind, person.booking));
    return button;
  }

  function personRow(person, boarding, marks) {
    const { status, local } = statusOf(person, marks);
    const facts = [format(S.people, { count: person.passengers })];
    if (person.wheelchairs) facts.push(S.wheelchair);
    if (boarding && person.window_from) {
      facts.push(format(S.window, { from: hhmm(person.window_from), until: hhmm(person.window_until) }));
    }
    if (!boarding && person.latest) facts.push(format(S.arrive_by, { time: hhmm(person.latest) }));
    const who = element("div", { class: "who" }, [
      element("strong", { class: "name", text: person.name || `#${person.booking}` }),
      element("span", { class: "facts", text: facts.join(" · ") }),
      person.note ? element("span", { class: "facts", text: person.note }) : null,
    ]);
    const actions = element("div", { class: "actions" });
    if (person.phone) {
      actions.append(element("a", { class: "mark mark--call", href: `tel:${person.phone}`,
        text: `${S.call} ${person.phone}` }));
    }
    if (boarding && status === "accepted") {
      actions.append(markButton("boarded", person, true), markButton("no_show", person, false));
    } else if (!boarding && status === "boarded") {
      actions.append(markButton("dropped_off", person, true));
    } else if (status !== "accepted" || !boarding) {
      const label = S[`status_${status}`] || "";
      // A mark not confirmed by the office yet says so: it may still be refused (shown above the stops then).
      if (label) actions.append(element("span", { class: `state state--${status}`, text: local ? `${label}（${S.undo_hint}）` : label }));
    }
    return element("li", { class: `person person--${status}`, "data-booking": String(person.booking),
      "data-status": status }, [who, actions]);
  }

  function stopDone(stop, marks) {
    const open = (p, boarding) => {
      const status = statusOf(p, marks).status;
      return boarding ? status === "accepted" : status === "boarded" || status === "accepted";
    };
    return !stop.board.some((p) => open(p, true)) && !stop.alight.some((p) => open(p, false));
  }

  function stopCard(stop, index, isNext, marks) {
    const google = `https://www.google.com/maps/dir/?api=1&destination=${stop.lat},${stop.lon}`;
    const geo = `geo:${stop.lat},${stop.lon}?q=${stop.lat},${stop.lon}(${encodeURIComponent(stop.place)})`;
    const when = stop.window_from ? format(S.window, { from: hhmm(stop.window_from), until: hhmm(stop.window_until) })
      : "";
    const head = element("div", { class: "stop-head" }, [
      element("span", { class: "time", text: hhmm(stop.at) }),
      element("h2", { class: "place", text: stop.place }),
      isNext ? element("span", { class: "badge", text: S.next }) : null,
      when ? element("span", { class: "window", text: when }) : null,
      element("span", { class: "nav" }, [
        element("a", { class: "mark mark--nav", href: google, target: "_blank", rel: "noopener", text: S.navigate }),
        element("a", { class: "mark mark--nav", href: geo, text: S.map }),
      ]),
    ]);
    const lists = [];
    if (stop.board.length) {
      lists.push(element("h3", { text: S.board }),
        element("ul", { class: "people" }, stop.board.map((p) => personRow(p, true, marks))));
    }
    if (stop.alight.length) {
      lists.push(element("h3", { text: S.alight }),
        element("ul", { class: "people" }, stop.alight.map((p) => personRow(p, false, marks))));
    }
    const done = stopDone(stop, marks);
    return element("li", { class: `stop${isNext ? " stop--next" : ""}${done ? " stop--done" : ""}`,
      "data-stop": String(index) }, [head, ...lists]);
  }

  async function render() {
    const saved = await store.roster(SCOPE);
    const { marks, rejected } = await localMarks();
    const list = $("stops");
    list.replaceChildren();
    if (!saved) {
      $("updated").textContent = S.no_plan;
    } else {
      const plan = saved.data;
      $("plan-day").textContent = plan.day;
      $("updated").textContent = format(S.updated, { time: hhmm(plan.generated_at) });
      let next = plan.stops.findIndex((stop) => !stopDone(stop, marks));
      plan.stops.forEach((stop, index) => list.append(stopCard(stop, index, index === next, marks)));
      if (plan.withdrawn) {
        list.append(element("li", { class: "stop stop--withdrawn", role: "status",
          text: format(S.withdrawn, { time: hhmm(plan.withdrawn.at), note: plan.withdrawn.note }) }));
      }
      if (plan.out_of_service) {  // a span of days, or until brought back: no plan on this day, and why
        const out = plan.out_of_service;
        list.append(element("li", { class: "stop stop--withdrawn", role: "status", text: out.last_day
          ? format(S.out_span, { first: out.first_day, last: out.last_day, note: out.note })
          : S.out_open + (out.note ? ` (${out.note})` : "") }));
      } else if (!plan.stops.length) list.append(element("li", { class: "stop", text: S.no_stops }));
    }
    const box = $("rejected");
    box.hidden = !rejected.length;
    box.querySelector("h2").textContent = S.rejected;
    box.querySelector("ul").replaceChildren(...rejected.map((event) => element("li", {
      text: `#${event.payload.booking} ${S[event.type] || event.type}: ${event.error}` })));
    await refreshCounts();
  }

  async function refreshCounts() {
    const pending = await store.pendingEvents(SCOPE, 100000);
    $("unsent").textContent = pending.length ? format(S.unsent, { count: pending.length }) : S.all_sent;
    $("unsent").dataset.count = String(pending.length);
    $("connection").textContent = navigator.onLine ? S.online : S.offline;
    $("connection").dataset.online = navigator.onLine ? "yes" : "no";
  }

  async function mark(kind, booking) {
    await store.addEvents(SCOPE, [{ type: kind, payload: { booking } }]);
    await render();
    if (sync) sync.run();
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* The newest fix goes to the office once a minute while online; a fix is never queued (an old position says
     nothing about where the vehicle is). */
  async function sendPosition() {
    if (!latestFix || !navigator.onLine || latestFix.timestamp <= sentFixAt) return;
    const fix = latestFix;
    try {
      const response = await fetch(config.positionUrl, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ lat: fix.coords.latitude, lon: fix.coords.longitude,
          accuracy: Math.min(fix.coords.accuracy || 0, 100000), measured_at: new Date(fix.timestamp).toISOString() }),
      });
      if (response.ok) {
        sentFixAt = fix.timestamp;
        $("gps").textContent = format(S.gps_on, { time: new Date(fix.timestamp).toTimeString().slice(0, 5) });
      }
    } catch (error) { /* offline: the next fix is sent when the connection is back */ }
  }

  function watchPosition() {
    $("gps").textContent = S.gps_off;
    if (!navigator.geolocation) return;
    navigator.geolocation.watchPosition((fix) => {
      const first = latestFix === null;
      latestFix = fix;
      if (first) sendPosition();
    }, () => { $("gps").textContent = S.gps_off; }, { enableHighAccuracy: true, maximumAge: 30000 });
    setInterval(sendPosition, config.positionEvery * 1000);
  }

  async function start() {
    sync = window.TokiSync.create({
      config: { eventsUrl: config.eventsUrl, rosterUrl: config.rosterUrl, batch: config.batch },
      openingId: SCOPE,
      onStatus: (status) => {
        $("not-enrolled").hidden = !status.loginNeeded;
        $("not-enrolled").textContent = S.not_enrolled;
      },
      onChange: render,
      // Signed out by the office (a lost tablet): the riders' names and phone numbers go from this tablet.
      onLoggedOut: async () => { await store.forgetPersonalData(); await render(); },
    });
    window.addEventListener("online", () => { refreshCounts(); sendPosition(); });
    window.addEventListener("offline", refreshCounts);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.serviceWorker, { scope: config.swScope }).catch(() => {});
    }
    await render();
    watchPosition();
    sync.run();
  }

  window.TokiDriver = { ready: start(), render };
})();
