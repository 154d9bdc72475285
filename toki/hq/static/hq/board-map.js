// The live board's map: damage reports (markers), evacuation orders (district areas) and shelters, re-read from
// the board's map.json every 30 seconds. Progressive enhancement: without JavaScript the lists beside it remain.
(function () {
  "use strict";
  var element = document.getElementById("hq-map");
  if (!element || typeof L === "undefined") { return; }
  var REFRESH_MS = 30000;
  var LEVEL_COLOURS = { 3: "#b35c00", 4: "#b00020", 5: "#5c0a73" };
  var map = L.map(element, { scrollWheelZoom: false, zoomControl: false }).setView(
    [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], parseInt(element.dataset.zoom, 10));
  L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
  map.attributionControl.setPrefix(false);
  L.tileLayer(element.dataset.tiles, { maxZoom: 18, minZoom: 5, attribution: element.dataset.attribution }).addTo(map);
  var layers = { orders: L.layerGroup().addTo(map), shelters: L.layerGroup().addTo(map),
                 reports: L.layerGroup().addTo(map) };
  var fitted = false;

  function popup(title, text) {
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = title;  // textContent: data never becomes HTML
    box.appendChild(strong);
    if (text) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(text)); }
    return box;
  }

  function draw(data) {
    Object.keys(layers).forEach(function (name) { layers[name].clearLayers(); });
    var points = [];
    data.orders.forEach(function (o) {
      var colour = LEVEL_COLOURS[o.level] || "#b00020";
      var label = popup(element.dataset.labelOrder + ": " + o.district_name, o.hazard + " (Lv" + o.level + ")");
      if (o.boundary) {
        L.geoJSON(o.boundary, { style: { color: colour, weight: 2, fillOpacity: 0.15 } }).bindPopup(label)
          .addTo(layers.orders);
      } else {
        L.circle([o.lat, o.lon], { radius: 2500, color: colour, fillOpacity: 0.15 }).bindPopup(label)
          .addTo(layers.orders);
      }
    });
    data.shelters.forEach(function (s) {
      var text = s.occupancy === null ? "" : s.occupancy + (s.capacity ? " / " + s.capacity : "");
      L.circleMarker([s.lat, s.lon], { radius: 5, weight: 1, color: "#12355b", fillColor: "#1e6b34",
                                       fillOpacity: 0.8 })
        .bindPopup(popup(element.dataset.labelShelter + ": " + s.name, text)).addTo(layers.shelters);
    });
    data.reports.forEach(function (r) {
      points.push([r.lat, r.lon]);
      L.circleMarker([r.lat, r.lon], { radius: 9, weight: 3, color: "#ffffff", fillColor: "#b00020",
                                       fillOpacity: 0.95 })
        .bindPopup(popup(element.dataset.labelReport + " #" + r.id + " " + r.category, r.address))
        .addTo(layers.reports);
    });
    if (!fitted && points.length > 1) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 13 });
      fitted = true;
    }
  }

  function load() {
    fetch(element.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }
  load();
  window.setInterval(load, REFRESH_MS);
})();
