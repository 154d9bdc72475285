/* The household tablet (docs/community.md): service worker, the alert poll (conditional, ETag), the full-screen
   alert with 「無事です」 / 「助けが必要」, read-aloud, push registration, battery and version in the poll. Every page
   works without this script; it adds what needs it. */
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("tablet-config").textContent);
  const S = config.strings;
  const answeredKey = "toki-home-answered";
  let etag = null;
  let alerts = [];
  let wakeLock = null;

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function answered() {
    try { return JSON.parse(localStorage.getItem(answeredKey) || "[]"); } catch (e) { return []; }
  }

  function markAnswered(key) {
    const keys = answered().filter((k) => k !== key).slice(-50);
    keys.push(key);
    localStorage.setItem(answeredKey, JSON.stringify(keys));
  }

  function setOffline(offline) {
    const banner = document.getElementById("offline-banner");
    if (banner) banner.hidden = !offline;
  }

  /* Fill in the CSRF token from the cookie when a form is sent (the page may come from the cache). */
  document.addEventListener("submit", (event) => {
    const field = event.target.querySelector("input[name=csrfmiddlewaretoken]");
    if (field && csrf()) field.value = csrf();
  });

  /* --- read-aloud --- */
  function setupSpeech() {
    document.querySelectorAll("[data-speak]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        const status = document.getElementById("speech-status");
        if (!("speechSynthesis" in window)) {
          if (status) status.textContent = S.no_speech;
          return;
        }
        if (speechSynthesis.speaking) {
          speechSynthesis.cancel();
          button.textContent = S.speak;
          return;
        }
        const target = document.getElementById(button.dataset.speak);
        const utterance = new SpeechSynthesisUtterance(target ? target.innerText : "");
        utterance.lang = document.documentElement.lang || "ja";
        utterance.rate = 0.9;
        utterance.onend = () => { button.textContent = S.speak; };
        button.textContent = S.stop;
        speechSynthesis.speak(utterance);
      });
    });
  }

  /* --- the full-screen alert --- */
  async function keepAwake() {
    try { if ("wakeLock" in navigator && !wakeLock) wakeLock = await navigator.wakeLock.request("screen"); } catch (e) { /* not allowed */ }
  }

  function showAlert(alert) {
    const overlay = document.getElementById("alert-overlay");
    if (!overlay || !alert) return;
    overlay.className = `alert-screen ${alert.css}`;
    overlay.querySelector("[data-field=title]").textContent = alert.title;
    overlay.querySelector("[data-field=action]").textContent = alert.action;
    overlay.querySelector("[data-field=hazard]").textContent = [alert.hazard, alert.issued].filter(Boolean).join("　");
    overlay.querySelector("[data-field=result]").textContent = "";
    overlay.dataset.key = alert.key;
    overlay.hidden = false;
    document.body.classList.add("has-alert");
    overlay.querySelector("button[data-status=safe]").focus();
    keepAwake();
  }

  function hideAlert() {
    const overlay = document.getElementById("alert-overlay");
    if (overlay) overlay.hidden = true;
    document.body.classList.remove("has-alert");
    if (wakeLock) { wakeLock.release().catch(() => {}); wakeLock = null; }
  }

  async function sendReply(status) {
    const overlay = document.getElementById("alert-overlay");
    const result = overlay.querySelector("[data-field=result]");
    const body = new FormData();
    body.append("status", status);
    body.append("alert", overlay.dataset.key || "");
    try {
      const response = await fetch(config.replyUrl, { method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      markAnswered(overlay.dataset.key || "");
      result.textContent = status === "safe" ? S.sent_safe : S.sent_help;
      overlay.querySelector("[data-close]").hidden = false;
    } catch (error) {
      result.textContent = S.not_sent;
    }
  }

  function setupOverlay() {
    const overlay = document.getElementById("alert-overlay");
    if (!overlay) return;
    overlay.querySelectorAll("button[data-status]").forEach((button) => {
      button.addEventListener("click", () => sendReply(button.dataset.status));
    });
    overlay.querySelector("[data-close]").addEventListener("click", hideAlert);
  }

  function considerAlerts() {
    const done = answered();
    const pending = alerts.find((a) => !done.includes(a.key));
    const overlay = document.getElementById("alert-overlay");
    if (pending && (overlay.hidden || overlay.dataset.key !== pending.key)) showAlert(pending);
  }

  /* --- the poll (fallback to push; cheap when nothing changed) --- */
  async function battery() {
    try {
      if (!navigator.getBattery) return "";
      const state = await navigator.getBattery();
      return String(Math.round(state.level * 100));
    } catch (e) { return ""; }
  }

  async function poll() {
    const params = new URLSearchParams({ v: config.version });
    const level = await battery();
    if (level) params.set("battery", level);
    const headers = etag ? { "If-None-Match": etag } : {};
    try {
      const response = await fetch(`${config.pollUrl}?${params}`, { headers, cache: "no-store", credentials: "same-origin" });
      setOffline(false);
      if (response.status === 304) return;
      if (!response.ok) return;
      etag = response.headers.get("ETag");
      const data = await response.json();
      alerts = data.alerts || [];
      considerAlerts();
      const latest = document.body.dataset.latestItem;
      const news = document.getElementById("new-items");
      if (news && latest && data.latest_item && String(data.latest_item) !== latest) news.hidden = false;
    } catch (error) {
      setOffline(true);
    }
  }

  /* --- push (the notify channel's webpush.js, when the server has it) --- */
  function setupPush() {
    const button = document.getElementById("push-enable");
    if (!button || !config.publicKey || !window.TokiPush || !("PushManager" in window)) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const subscription = await window.TokiPush.subscribe(config.publicKey);
        const json = subscription && subscription.toJSON ? subscription.toJSON() : subscription;
        if (json && json.endpoint) {
          await fetch(config.pushUrl, { method: "POST", body: JSON.stringify(json), credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() } });
        }
        button.hidden = true;
        const status = document.getElementById("push-status");
        if (status) status.textContent = S.notifications_on;
      } catch (error) { /* permission refused: the poll goes on */ }
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope }).catch(() => {});
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "toki-alert") { etag = null; poll(); }
    });
  }
  window.addEventListener("online", () => { setOffline(false); poll(); });
  window.addEventListener("offline", () => setOffline(true));
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  setOffline(!navigator.onLine);
  setupSpeech();
  setupOverlay();
  setupPush();
  poll();
  setInterval(poll, config.pollSeconds * 1000);
})();
