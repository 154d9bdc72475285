// Progressive enhancement for the post form: a button that fills latitude and longitude from the browser's
// geolocation. Without JavaScript (or geolocation) the fields are typed by hand; nothing is sent anywhere here.
(function () {
  "use strict";
  var box = document.getElementById("post-locate");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  if (!box || !lat || !lon || !("geolocation" in navigator)) return;
  var status = box.querySelector("[role=status]");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button button--secondary";
  button.textContent = box.dataset.label;
  box.insertBefore(button, status);
  box.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = box.dataset.working;
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(5);
      lon.value = position.coords.longitude.toFixed(5);
      status.textContent = box.dataset.done;
      button.disabled = false;
    }, function () {
      status.textContent = box.dataset.failed;
      button.disabled = false;
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
})();
