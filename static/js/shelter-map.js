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
  // Open sites stand out: larger, orange with a black ring, drawn last so no closed site hides them; a full one
  // is grey-ringed. Closed sites stay small and blue/green (designated shelter / evacuation site only).
  points.slice().sort(function (a, b) { return (a.open ? 1 : 0) - (b.open ? 1 : 0); }).forEach(function (p) {
    var style = p.open
      ? { radius: 13, weight: 4, color: p.full ? "#5f6368" : "#000000", fillColor: "#f28c00", fillOpacity: 1 }
      : { radius: 7, weight: 2, color: "#12355b", fillColor: p.designated ? "#1e6b34" : "#0b57a4",
          fillOpacity: 0.8 };
    var marker = L.circleMarker([p.lat, p.lon], style).addTo(map);
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = "#shelter-" + p.id;
    link.textContent = p.name;  // textContent: names never become HTML
    popup.append(link);
    if (p.state) {
      var state = document.createElement("p");
      state.textContent = p.state;
      popup.append(state);
    }
    marker.bindPopup(popup);
  });
})();
