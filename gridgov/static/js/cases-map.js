// A small Leaflet map with one marker for each .case-map element (data-lat, data-lng).
// No tile layer unless the page sets one: nothing is fetched from outside this site.
(function () {
  "use strict";
  function init(el) {
    var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    if (isNaN(at[0]) || isNaN(at[1])) { return; }
    var map = L.map(el, { attributionControl: false, zoomControl: true }).setView(at, 17);
    if (el.dataset.tileUrl) { L.tileLayer(el.dataset.tileUrl, { maxZoom: 20 }).addTo(map); }
    L.circleMarker(at, { radius: 8, color: "#c62828", fillColor: "#ef5350", fillOpacity: 0.9 }).addTo(map);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".case-map").forEach(init);
  });
})();
