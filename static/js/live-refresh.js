// Keep a public page left open current (issue 14): poll the cheap version endpoint (/live.json, toki/portal/live.py)
// and, when the public situation changed, fetch this page again and swap in its live parts (the elements marked
// data-live: the evacuation orders, the in-force box, on the home page "what to do now" and the survey), saying so
// in a status line for screen readers. Nothing else on the page moves, so a form being filled in is never lost;
// without JavaScript the page shows what was in force when it was loaded.
(function () {
  "use strict";
  var region = document.getElementById("live-orders");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  var EVERY_MS = 30000;  // a new order shows within about 30 s (plus the endpoint's 5 s of caching)
  var version = region.dataset.version;
  var timer = null;

  function status(key) {  // the words are in the page, in its language (data-updated, data-stale)
    var line = document.getElementById("live-status");  // outside the swapped parts: a live region stays in place
    if (line) { line.textContent = line.dataset[key] || ""; }
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var freshRegion = fresh.getElementById("live-orders");
    if (!freshRegion) { return false; }
    // The version of what was fetched: a cache in front that still has the older page makes the next poll retry.
    version = freshRegion.dataset.version;
    var changed = false;
    document.querySelectorAll("[data-live][id]").forEach(function (old) {
      var part = fresh.getElementById(old.id);
      if (!part) { return; }
      // An element the old page has elsewhere (the nearest-sites finder, already working there) is not doubled.
      part.querySelectorAll("[id]").forEach(function (inner) {
        var existing = document.getElementById(inner.id);
        if (existing && !old.contains(existing)) { inner.remove(); }
      });
      if (part.innerHTML === old.innerHTML) { return; }
      old.replaceWith(document.importNode(part, true));  // this site's own markup (same origin, same CSP)
      changed = true;
    });
    if (changed) { status("updated"); }  // a change that shows nothing new here (a check-in) is not announced
    return true;
  }

  function check() {
    fetch(region.dataset.poll, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || data.version === version) { return null; }
        return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { if (!swap(html)) { status("stale"); } });
      })
      .catch(function () { /* offline for a moment: try again at the next poll */ });
  }

  function start() {
    if (timer === null) { timer = window.setInterval(check, EVERY_MS); }
  }

  function stop() {
    if (timer !== null) { window.clearInterval(timer); timer = null; }
  }

  // A hidden tab does not poll; coming back checks at once.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stop(); } else { check(); start(); }
  });
  if (!document.hidden) { start(); }
})();
