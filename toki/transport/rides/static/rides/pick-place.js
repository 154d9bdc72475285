// Door-to-door booking form (rides/includes/request_fields.html): a map under "where you get on" and "where you get
// off" where the rider taps the place. The list of meeting points and the latitude/longitude fields stay the form's
// own fields (keyboard and screen-reader users, and anyone without JavaScript, use them); the map only fills them
// in, and the server checks the place again. The area's outline and its meeting points come from the page itself,
// so the map shows where to tap even when no map tile loads (offline, tile server down).
(function () {
  "use strict";
  var source = document.getElementById("rides-pick-data");
  if (!source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  // The same rule as the server's toki.lib.geo.point_in_geometry: inside an exterior ring, outside its holes.
  function inArea(lat, lon) {
    var geometry = data.geometry || {};
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polygons.some(function (rings) {
      return inRing(lon, lat, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(lon, lat, hole); });
    });
  }

  function setUp(block) {
    var end = block.dataset.end;
    var select = document.getElementById("id_" + end);
    var lat = document.getElementById("id_" + end + "_lat");
    var lon = document.getElementById("id_" + end + "_lon");
    var element = block.querySelector(".rides-pick-map");
    var status = block.querySelector(".rides-pick-status");
    var here = block.querySelector(".rides-here");
    if (!select || !lat || !lon || !element) { return; }
    block.hidden = false;
    // One finger scrolls the page on a phone (no dragging there); two fingers or the +/− buttons zoom.
    // Quarter zoom steps: the area fills the map on a phone.
    var map = L.map(element, {
      scrollWheelZoom: false, dragging: !L.Browser.mobile, tapTolerance: 20, zoomSnap: 0.25, zoomDelta: 1
    });
    map.attributionControl.setPrefix(false);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {
        maxZoom: 18, minZoom: 9,
        attribution: "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\">国土地理院</a>"
      }).addTo(map);
    }
    var outline = L.geoJSON(data.geometry, {
      interactive: false, style: { color: "#0b57a4", weight: 4, fillColor: "#0b57a4", fillOpacity: 0.06 }
    }).addTo(map);
    map.fitBounds(outline.getBounds(), { padding: [8, 8] });

    // A drawn circle, not L.marker: Leaflet's marker images are not vendored (and a drawing needs no download).
    var marker = null;
    function pin(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      marker = L.circleMarker(latlng, {
        radius: 12, weight: 4, color: "#ffffff", fillColor: "#c5221f", fillOpacity: 1, interactive: false
      }).addTo(map);
    }
    function say(text) { if (status) { status.textContent = text; } }

    function choosePlace(latlng) {
      if (!inArea(latlng.lat, latlng.lng)) { say(block.dataset.outside); return; }
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      select.value = "";  // "another place": the coordinates decide
      pin(latlng);
      say(block.dataset.picked);
    }

    function choosePoint(point) {
      select.value = String(point.id);
      lat.value = "";
      lon.value = "";
      pin([point.lat, point.lon]);
      say(block.dataset.point.replace("{name}", point.name));
    }

    (data.points || []).forEach(function (point) {
      L.circleMarker([point.lat, point.lon], {
        radius: 10, weight: 3, color: "#12355b", fillColor: "#ffffff", fillOpacity: 1
      }).bindTooltip(point.name, { direction: "top" })
        .on("click", function (event) { L.DomEvent.stopPropagation(event); choosePoint(point); })
        .addTo(map);
    });
    map.on("click", function (event) { choosePlace(event.latlng); });

    // The fields stay the truth: what is chosen or typed there moves the circle.
    function fromFields() {
      var point = (data.points || []).filter(function (p) { return String(p.id) === select.value; })[0];
      if (point) { pin([point.lat, point.lon]); return; }
      var y = parseFloat(lat.value), x = parseFloat(lon.value);
      if (!isNaN(y) && !isNaN(x)) { pin([y, x]); } else if (marker) { map.removeLayer(marker); marker = null; }
    }
    select.addEventListener("change", function () {
      if (select.value) { lat.value = ""; lon.value = ""; }
      fromFields();
    });
    lat.addEventListener("change", fromFields);
    lon.addEventListener("change", fromFields);
    fromFields();

    if (here && navigator.geolocation) {
      here.hidden = false;
      here.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          map.setView(latlng, 16);
          choosePlace(latlng);
        }, function () { say(block.dataset.hereFailed); }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".rides-pick"), setUp);
}());
