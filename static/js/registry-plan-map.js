// The supporters' map (registry/plans/map.html): plans the viewer may see (home, route, destination), open
// shelters and hazard layers, fetched from the scoped data endpoint. Names become text, never HTML.
(function () {
  "use strict";
  var element = document.getElementById("plan-map");
  var list = document.getElementById("plan-map-list");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView(
    [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], parseInt(element.dataset.zoom, 10));
  map.attributionControl.setPrefix(false);
  L.tileLayer(element.dataset.tiles, { maxZoom: 18, minZoom: 5, attribution: element.dataset.attribution }).addTo(map);

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function popup(lines, url) {
    var box = document.createElement("div");
    lines.forEach(function (line) { if (line) { box.append(text("p", line)); } });
    if (url) {
      var link = text("a", element.dataset.openLabel);
      link.href = url;
      box.append(link);
    }
    return box;
  }

  fetch(element.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (data) {
      var bounds = [];
      data.hazards.forEach(function (layer) {
        var label = layer.name + (layer.demo ? " (" + element.dataset.demoLabel + ")" : "");
        L.geoJSON(layer.geojson, {
          style: { color: "#b71c1c", weight: 2, dashArray: "6 4", fillColor: "#d32f2f", fillOpacity: 0.25 }
        }).bindPopup(popup([label, layer.source])).addTo(map);
      });
      data.open_shelters.forEach(function (s) {
        L.circleMarker(s.point, { radius: 11, weight: 3, color: "#000", fillColor: "#f28c00", fillOpacity: 1 })
          .bindPopup(popup([s.name + (s.drill ? " (" + element.dataset.drillLabel + ")" : "")])).addTo(map);
      });
      data.plans.forEach(function (plan) {
        var line = [];
        if (plan.home) { line.push(plan.home); }
        line = line.concat(plan.route);
        if (plan.destination.point) { line.push(plan.destination.point); }
        if (line.length > 1) {
          L.polyline(line, { color: "#6a1b9a", weight: 5, opacity: 0.85 }).addTo(map);
        }
        if (plan.home) {
          L.circleMarker(plan.home, { radius: 9, weight: 3, color: "#fff", fillColor: "#c5221f", fillOpacity: 1 })
            .bindPopup(popup([plan.name, "→ " + plan.destination.name], plan.url)).addTo(map);
        }
        if (plan.destination.point) {
          L.circleMarker(plan.destination.point, { radius: 6, weight: 2, color: "#12355b", fillColor: "#1e6b34",
            fillOpacity: 0.9 }).bindPopup(popup([plan.destination.name])).addTo(map);
        }
        bounds = bounds.concat(line);
        if (list) {
          var item = document.createElement("li");
          var link = text("a", (plan.name || "#" + plan.plan) + " → " + plan.destination.name);
          link.href = plan.url;
          item.append(link);
          list.append(item);
        }
      });
      if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
      else if (bounds.length === 1) { map.setView(bounds[0], 15); }
    })
    .catch(function () { element.setAttribute("data-error", "1"); });
})();
