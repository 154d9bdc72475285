// Shelter map: progressive enhancement over the shelter list. Reads points from a json_script element.
(function () {
  "use strict";
  var element = document.getElementById("shelter-map");
  var data = document.getElementById("shelter-points");
  if (!element || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  var map = L.map(element, { scrollWheelZoom: false, zoomControl: false }).setView(
    [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], parseInt(element.dataset.zoom, 10));
  // The zoom buttons' names in the page's language (Leaflet's own are English).
  L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
  map.attributionControl.setPrefix(false);  // no English "Leaflet" link; the GSI credit stays
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18, minZoom: 5, attribution: element.dataset.attribution
  }).addTo(map);
  if (points.length > 1) {
    map.fitBounds(points.map(function (p) { return [p.lat, p.lon]; }), { padding: [16, 16] });
  }
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 8, weight: 2, color: "#12355b", fillColor: p.designated ? "#1e6b34" : "#0b57a4", fillOpacity: 0.85
    }).addTo(map);
    var link = document.createElement("a");
    link.href = "#shelter-" + p.id;
    link.textContent = p.name;  // textContent: names never become HTML
    marker.bindPopup(link);
  });
})();
