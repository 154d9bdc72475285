// Damage report form: click the map to fill latitude, longitude and the district (the fields work without it).
// The districts one may report for are drawn as outlines from the page's own data, so the map shows where to
// click even when no map tile loads (offline, tile server down): a click inside an outline sets the point and
// chooses that district; a click outside says so and changes nothing.
(function () {
  "use strict";
  var element = document.getElementById("damage-map");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var district = document.getElementById("id_district");
  var status = document.getElementById("damage-map-status");
  if (!element || !lat || !lon || typeof L === "undefined") { return; }
  var districts = JSON.parse(document.getElementById(element.dataset.districts).textContent || "[]");
  element.hidden = false;
  var start = lat.value && lon.value ? [parseFloat(lat.value), parseFloat(lon.value)] : null;
  var map = L.map(element, { scrollWheelZoom: false }).setView(
    start || [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], start ? 15 : 10);
  map.attributionControl.setPrefix(false);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, {
      maxZoom: 18, minZoom: 5,
      attribution: "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\">国土地理院</a>"
    }).addTo(map);
  }
  // A drawn circle, not L.marker: Leaflet's marker images are not vendored (and a drawing needs no download).
  function pin(latlng) {
    return L.circleMarker(latlng, { radius: 9, weight: 3, color: "#ffffff", fillColor: "#b00020", fillOpacity: 0.95 })
      .addTo(map);
  }
  var marker = start ? pin(start) : null;

  function say(text) { if (status) { status.textContent = text; } }

  function place(latlng, item) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (district && item) { district.value = String(item.id); }
    if (marker) { marker.setLatLng(latlng); } else { marker = pin(latlng); }
    say(item ? element.dataset.picked.replace("{district}", item.name) : "");
  }

  var outlines = L.featureGroup().addTo(map);
  districts.forEach(function (item) {
    if (!item.boundary) { return; }
    L.geoJSON(item.boundary, { style: { color: "#12355b", weight: 2, fillColor: "#12355b", fillOpacity: 0.08 } })
      .bindTooltip(item.name, { sticky: true })
      .on("click", function (event) { L.DomEvent.stopPropagation(event); place(event.latlng, item); })
      .addTo(outlines);
  });
  if (!start && outlines.getLayers().length) { map.fitBounds(outlines.getBounds(), { padding: [12, 12] }); }
  map.on("click", function (event) {
    // No outline known (a profile without boundaries): take the point as it is; the server finds its district.
    if (outlines.getLayers().length) { say(element.dataset.outside); } else { place(event.latlng, null); }
  });
})();
