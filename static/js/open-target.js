// The shelter list folds each district into a <details>: a link to a site or a district (#shelter-12 from the map
// or the nearest-site list, #district-ryotsu from the district list) opens the fold it points into first.
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var fold = target.closest("details");
    if (fold && !fold.open) {
      fold.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
