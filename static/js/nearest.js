// "Nearest evacuation sites": progressive enhancement. The reader's position never leaves the browser: the
// distances are computed here from the shelter points already in the page (json_script), nothing is sent.
// Ranking, the same rule as toki.shelters.selectors.nearest_sites: sites designated for every hazard in force
// first (a site not designated for a landslide may be on the slope that slides), then open now, full ones after
// the other open ones, then nearest. Each site not designated for a hazard in force says so.
(function () {
  "use strict";
  var box = document.getElementById("nearest");
  var data = document.getElementById("shelter-points");
  if (!box || !data || !("geolocation" in navigator)) { return; }
  var inForce = JSON.parse((document.getElementById("hazards-in-force") || {}).textContent || "null") ||
    { codes: [], labels: {} };
  // Evacuation sites, and every shelter the city has opened now (p.state set).
  var points = JSON.parse(data.textContent).filter(function (p) { return p.emergency || p.state; });
  var button = box.querySelector("button");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector("ol");
  box.hidden = false;

  function km(lat1, lon1, lat2, lon2) {
    var r = 6371.0088, rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * r * Math.asin(Math.sqrt(a));
  }

  function missing(p) {
    return inForce.codes.filter(function (code) { return (p.hazards || []).indexOf(code) < 0; });
  }

  function rank(a, b) {
    return (a.missing.length ? 1 : 0) - (b.missing.length ? 1 : 0) ||
      (a.p.open ? 0 : 1) - (b.p.open ? 0 : 1) || (a.p.full ? 1 : 0) - (b.p.full ? 1 : 0) || a.d - b.d;
  }

  function line(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;  // textContent: names never become HTML
    return element;
  }

  function show(position) {
    var lat = position.coords.latitude, lon = position.coords.longitude;
    var nearest = points.map(function (p) { return { p: p, d: km(lat, lon, p.lat, p.lon), missing: missing(p) }; })
      .sort(rank).slice(0, 5);
    list.textContent = "";
    nearest.forEach(function (n) {
      var item = document.createElement("li");
      if (n.p.open) { item.className = "is-open"; }
      var name = document.createElement("a");
      name.href = "/shelters/#shelter-" + n.p.id;
      name.textContent = n.p.name;
      item.append(name, line("distance", " — " + n.d.toFixed(1) + " km "));
      if (n.p.state) { item.append(line("tag tag-open", n.p.state)); }
      if (n.missing.length) {
        item.append(line("not-designated", box.dataset.notDesignated + ": " +
          n.missing.map(function (c) { return inForce.labels[c]; }).join(", ")));
      } else if (inForce.codes.length) {
        item.append(line("designated", box.dataset.designated + ": " +
          inForce.codes.map(function (c) { return inForce.labels[c]; }).join(", ")));
      }
      var route = document.createElement("a");
      route.className = "directions";
      route.href = n.p.directions ||
        "https://www.google.com/maps/dir/?api=1&travelmode=walking&destination=" + n.p.lat + "," + n.p.lon;
      route.textContent = box.dataset.directions;
      route.rel = "noopener";
      item.append(route);
      list.appendChild(item);
    });
    status.textContent = box.dataset.done;
  }

  button.addEventListener("click", function () {
    status.textContent = box.dataset.locating;
    navigator.geolocation.getCurrentPosition(show, function () { status.textContent = box.dataset.failed; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
