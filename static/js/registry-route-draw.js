// Drawing a plan's route (registry/plans/edit.html): a tap on the map sets the home when it is empty, then adds a
// waypoint line to the route field. The text fields stay the source of truth (the form works without this).
(function () {
  "use strict";
  var element = document.getElementById("route-map");
  var home = document.getElementById("id_home_point");
  var route = document.getElementById("id_route");
  var undo = document.getElementById("route-undo");
  if (!element || !home || !route || typeof L === "undefined") { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView(
    [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], parseInt(element.dataset.zoom, 10));
  map.attributionControl.setPrefix(false);
  L.tileLayer(element.dataset.tiles, { maxZoom: 18, minZoom: 5, attribution: "国土地理院" }).addTo(map);
  var drawn = L.layerGroup().addTo(map);

  function parse(line) {
    var parts = line.replace("、", ",").split(",").map(function (part) { return parseFloat(part); });
    return parts.length === 2 && !isNaN(parts[0]) && !isNaN(parts[1]) ? parts : null;
  }

  function points() {
    return route.value.split("\n").map(parse).filter(Boolean);
  }

  function redraw() {
    drawn.clearLayers();
    var start = parse(home.value);
    var line = (start ? [start] : []).concat(points());
    if (start) { L.circleMarker(start, { radius: 9, color: "#fff", weight: 3, fillColor: "#c5221f", fillOpacity: 1 }).addTo(drawn); }
    if (line.length > 1) { L.polyline(line, { color: "#6a1b9a", weight: 5 }).addTo(drawn); }
    return line;
  }

  map.on("click", function (event) {
    var text = event.latlng.lat.toFixed(6) + ", " + event.latlng.lng.toFixed(6);
    if (!parse(home.value)) { home.value = text; }
    else { route.value = (route.value.trim() ? route.value.trim() + "\n" : "") + text; }
    redraw();
  });
  undo.addEventListener("click", function () {
    var lines = route.value.split("\n").filter(function (line) { return line.trim(); });
    lines.pop();
    route.value = lines.join("\n");
    redraw();
  });
  home.addEventListener("change", redraw);
  route.addEventListener("change", redraw);
  var line = redraw();
  if (line.length > 1) { map.fitBounds(line, { padding: [24, 24], maxZoom: 16 }); }
  else if (line.length === 1) { map.setView(line[0], 16); }
})();
