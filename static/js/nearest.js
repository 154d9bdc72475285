// "Nearest evacuation sites": progressive enhancement. The reader's position never leaves the browser: the
// distances are computed here from the shelter points already in the page (json_script), nothing is sent.
(function () {
  "use strict";
  var box = document.getElementById("nearest");
  var data = document.getElementById("shelter-points");
  if (!box || !data || !("geolocation" in navigator)) { return; }
  // Evacuation sites, and every shelter the city has opened now (p.state set); open ones (not full) come first.
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

  function show(position) {
    var lat = position.coords.latitude, lon = position.coords.longitude;
    var nearest = points.map(function (p) { return { p: p, d: km(lat, lon, p.lat, p.lon) }; })
      .sort(function (a, b) { return (b.p.open ? 1 : 0) - (a.p.open ? 1 : 0) || a.d - b.d; }).slice(0, 5);
    list.textContent = "";
    nearest.forEach(function (n) {
      var item = document.createElement("li");
      var name = document.createElement("a");
      name.href = "/shelters/#shelter-" + n.p.id;
      name.textContent = n.p.name;  // textContent: names never become HTML
      var distance = document.createElement("span");
      distance.textContent = (n.p.state ? " (" + n.p.state + ")" : "") + " — " + n.d.toFixed(1) + " km ";
      var route = document.createElement("a");
      route.href = "https://www.google.com/maps/dir/?api=1&travelmode=walking&destination=" + n.p.lat + "," + n.p.lon;
      route.textContent = box.dataset.directions;
      route.rel = "noopener";
      item.append(name, distance, route);
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
