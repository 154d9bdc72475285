/* The tablet's local data in IndexedDB (docs/shelter-pwa.md, "Storage"):
   - meta:    device id, the event sequence counter;
   - events:  every action taken on this tablet, immutable, keyed on its client UUID; state "pending" until the
              server answered, then "sent" (kept until a newer roster snapshot includes it) or "rejected"
              (kept until a staff member has seen the reason);
   - rosters: the last roster snapshot per opening, from GET …/roster.
   forgetPersonalData() deletes what is only there for the screen (at logout, after the idle time, when the
   session has ended); events not sent yet stay.
   Exposes window.TokiStore. */
(function () {
  "use strict";

  // The fares checker page reuses this store under its own database (<html data-toki-store="…">); the shelter
  // tablet sets no attribute and keeps its database.
  const DB_NAME = document.documentElement.dataset.tokiStore || "toki-shelter-ops";
  const DB_VERSION = 1;
  let opened = null;

  function promisify(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function done(transaction) {
    return new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error || new Error("transaction aborted"));
    });
  }

  function open() {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta", { keyPath: "key" });
        const events = db.createObjectStore("events", { keyPath: "id" });
        events.createIndex("opening_seq", ["opening_id", "seq"]);
        db.createObjectStore("rosters", { keyPath: "opening_id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("IndexedDB blocked by another tab"));
    });
    return opened;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; keep a v4 fallback from getRandomValues for old tablets.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function deviceId() {
    const db = await open();
    const tx = db.transaction("meta", "readwrite");
    const store = tx.objectStore("meta");
    let row = await promisify(store.get("device_id"));
    if (!row) {
      row = { key: "device_id", value: "tablet-" + uuid() };
      store.put(row);
    }
    await done(tx);
    return row.value;
  }

  /* Record actions as events, all in one transaction with the sequence counter: either every event of one
     staff action is saved, or none. `drafts` are {type, payload, local?}; returns the saved events. */
  async function addEvents(openingId, drafts) {
    const db = await open();
    const tx = db.transaction(["meta", "events"], "readwrite");
    const meta = tx.objectStore("meta");
    const events = tx.objectStore("events");
    const counter = (await promisify(meta.get("seq"))) || { key: "seq", value: 0 };
    const now = new Date();
    const saved = drafts.map((draft) => {
      counter.value += 1;
      const event = {
        id: uuid(),
        opening_id: openingId,
        seq: counter.value,
        type: draft.type,
        occurred_at: isoWithOffset(now),
        payload: draft.payload,
        local: draft.local || {}, // what only this tablet needs (e.g. which household a QR matched); never sent
        state: "pending",
        error: "",
        created_at: now.getTime(),
      };
      events.add(event);
      return event;
    });
    meta.put(counter);
    await done(tx);
    return saved;
  }

  async function eventsFor(openingId) {
    const db = await open();
    const tx = db.transaction("events");
    const range = IDBKeyRange.bound([openingId, -Infinity], [openingId, Infinity]);
    return promisify(tx.objectStore("events").index("opening_seq").getAll(range));
  }

  async function pendingEvents(openingId, limit) {
    const all = await eventsFor(openingId);
    return all.filter((e) => e.state === "pending").slice(0, limit);
  }

  /* Apply the server's per-event answers: `answers` maps event id -> {state, error, server_ids}. */
  async function markAnswered(answers) {
    const db = await open();
    const tx = db.transaction("events", "readwrite");
    const store = tx.objectStore("events");
    const now = Date.now();
    for (const [id, answer] of Object.entries(answers)) {
      const event = await promisify(store.get(id));
      if (!event || event.state !== "pending") continue;
      event.state = answer.state;
      event.error = answer.error || "";
      event.server_ids = answer.server_ids || {};
      event.acked_at = now;
      store.put(event);
    }
    await done(tx);
  }

  async function removeEvent(id) {
    const db = await open();
    const tx = db.transaction("events", "readwrite");
    tx.objectStore("events").delete(id);
    await done(tx);
  }

  /* Store a complete roster snapshot; events sent before `requestedAt` are in it, so they are dropped
     (the shared tablet keeps as little personal data as it can). */
  async function saveRoster(openingId, data, requestedAt) {
    const db = await open();
    const tx = db.transaction(["rosters", "events"], "readwrite");
    tx.objectStore("rosters").put({ opening_id: openingId, fetched_at: Date.now(), data });
    const events = tx.objectStore("events");
    const range = IDBKeyRange.bound([openingId, -Infinity], [openingId, Infinity]);
    const all = await promisify(events.index("opening_seq").getAll(range));
    for (const event of all) {
      if (event.state === "sent" && event.acked_at < requestedAt) events.delete(event.id);
    }
    await done(tx);
  }

  async function roster(openingId) {
    const db = await open();
    return promisify(db.transaction("rosters").objectStore("rosters").get(openingId));
  }

  async function getMeta(key) {
    const db = await open();
    const row = await promisify(db.transaction("meta").objectStore("meta").get(key));
    return row ? row.value : undefined;
  }

  async function setMeta(key, value) {
    const db = await open();
    const tx = db.transaction("meta", "readwrite");
    tx.objectStore("meta").put({ key, value });
    await done(tx);
  }

  /* Delete the personal data the tablet keeps for the screen (security issue 13, finding 16): every roster snapshot
     (names, birth dates, care needs), the last list of openings, the map of card hashes, and every event already
     answered (sent or rejected). Events not sent yet stay: they are the only copy of a check-in taken offline,
     and they go out at the next login. The device id, the sequence counter and the chosen opening stay (no
     personal data). One transaction: all or nothing. */
  async function forgetPersonalData() {
    const db = await open();
    const tx = db.transaction(["rosters", "events", "meta"], "readwrite");
    tx.objectStore("rosters").clear();
    const meta = tx.objectStore("meta");
    meta.delete("openings");
    meta.delete("qr_households");
    const events = tx.objectStore("events");
    for (const event of await promisify(events.getAll())) {
      if (event.state !== "pending") events.delete(event.id);
    }
    await done(tx);
  }

  function isoWithOffset(date) {
    // The contract wants a UTC offset; toISOString() gives "Z", which is one.
    return date.toISOString();
  }

  window.TokiStore = {
    open, uuid, deviceId, addEvents, eventsFor, pendingEvents, markAnswered, removeEvent, saveRoster, roster,
    getMeta, setMeta, forgetPersonalData,
  };
})();
