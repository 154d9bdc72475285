// Operations map: the area, the vehicles (last known position or depot) with their planned routes, and the
// day's bookings as lines from pickup to drop-off. The plans below the map say the same in words.
(function () {
  "use strict";
  var element = document.getElementById("rides-map");
  var source = document.getElementById("rides-map-data");
  if (!element || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  L.tileLayer(element.dataset.tiles, { maxZoom: 18, minZoom: 5, attribution: "国土地理院" }).addTo(map);
  var area = L.geoJSON(data.geometry, { style: { color: "#12355b", weight: 2, fillOpacity: 0.05 } }).addTo(map);
  map.fitBounds(area.getBounds());
  data.bookings.forEach(function (b) {
    var colour = b.status === "rejected" ? "#a30000" : "#0b57a4";
    L.polyline([b.from, b.to], { color: colour, weight: 2, dashArray: "4 4" }).addTo(map);
    L.circleMarker(b.from, { radius: 5, color: colour }).addTo(map);
  });
  data.vehicles.forEach(function (v) {
    if (v.route.length) { L.polyline([[v.lat, v.lon]].concat(v.route), { color: "#f28c00", weight: 4 }).addTo(map); }
    var marker = L.circleMarker([v.lat, v.lon], { radius: 10, color: "#000", fillColor: "#f28c00", fillOpacity: 1 });
    marker.bindTooltip(document.createTextNode(v.name).textContent).addTo(map);
  });
}());
