// The territory map: grid and microgrid polygons, buildings as points, click-through to an area.
// Reads its configuration from the #map element's data- attributes. With no tile URL configured it
// draws on a plain background and makes no request outside this site.
(function () {
  "use strict";

  var STYLES = {
    district: { color: "#455a64", weight: 3, fill: false },
    street: { color: "#455a64", weight: 3, fill: false },
    community: { color: "#1565c0", weight: 3, fillOpacity: 0.03 },
    grid: { color: "#1565c0", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.15 },
    microgrid: { color: "#ef6c00", weight: 1.5, dashArray: "4 4", fillColor: "#ffb74d", fillOpacity: 0.12 },
  };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("加载地图数据失败：" + url + "（" + r.status + "）"); }
      return r.json();
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function areaPopup(feature, areaUrl) {
    var p = feature.properties;
    var href = areaUrl.replace(/\/0\/$/, "/" + feature.id + "/");
    return "<b>" + escapeHtml(p.name) + "</b><br>" + escapeHtml(p.code) +
      '<br><a class="area-link" href="' + href + '">查看详情</a>';
  }

  function init(el) {
    var map = L.map(el, { preferCanvas: false, attributionControl: !!el.dataset.tileUrl });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 20, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([29.5, 106.5], 12);
    var areas = L.geoJSON(null, {
      style: function (f) { return STYLES[f.properties.kind] || STYLES.grid; },
      onEachFeature: function (f, layer) {
        layer.bindPopup(areaPopup(f, el.dataset.areaUrl));
        layer.bindTooltip(f.properties.name, { sticky: true });
      },
    }).addTo(map);
    var buildings = L.geoJSON(null, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: "#2e7d32", weight: 1, fillColor: "#66bb6a", fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); },
    }).addTo(map);
    Promise.all([getJSON(el.dataset.areasUrl), getJSON(el.dataset.buildingsUrl)]).then(function (data) {
      // Larger areas first so that smaller ones are drawn on top and stay clickable.
      var order = ["district", "street", "community", "grid", "microgrid"];
      data[0].features.sort(function (a, b) { return order.indexOf(a.properties.kind) - order.indexOf(b.properties.kind); });
      areas.addData(data[0]);
      buildings.addData(data[1]);
      var bounds = areas.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); }
      el.dataset.loaded = String(data[0].features.length);
    }).catch(function (err) {
      el.insertAdjacentHTML("afterend", '<p class="error">' + escapeHtml(err.message) + "</p>");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".territory-map").forEach(init);
  });
})();
