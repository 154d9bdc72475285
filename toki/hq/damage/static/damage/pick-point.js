// Damage report form: click the map to fill latitude and longitude (the fields work without it).
(function () {
  "use strict";
  var element = document.getElementById("damage-map");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  if (!element || !lat || !lon || typeof L === "undefined") { return; }
  element.hidden = false;
  var start = lat.value && lon.value ? [parseFloat(lat.value), parseFloat(lon.value)] : null;
  var map = L.map(element, { scrollWheelZoom: false }).setView(
    start || [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], start ? 15 : 10);
  map.attributionControl.setPrefix(false);
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18, minZoom: 5,
    attribution: "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\">国土地理院</a>"
  }).addTo(map);
  var marker = start ? L.marker(start).addTo(map) : null;
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
  });
})();
