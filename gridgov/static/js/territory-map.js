// The territory map: grid and microgrid polygons, buildings as points, click-through to an area,
// and the devices layer (sensors in the user's scope at their building, coloured by state).
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


  // --- the devices layer ---------------------------------------------------------------------
  // One glyph per device kind, so that a marker reads without its popup.
  var KIND_GLYPHS = { door: "门", smoke: "烟", gas: "燃", water: "水", motion: "人", sos: "呼", camera: "摄" };
  var STATES = ["alarm", "silent", "low_battery", "online"];  // worst first
  // Several devices share their building's point. From SPREAD_ZOOM on, a building's devices are
  // drawn one by one on a small ring around it (offsets in pixels, so the ring keeps its size at
  // every zoom); below it, or with more than SPREAD_MAX devices, one badge with the count stands
  // for them and its popup lists each one.
  var SPREAD_ZOOM = 17;
  var SPREAD_MAX = 8;
  var MARKER = 22;

  function worstState(devices) {
    return STATES.reduce(function (found, state) {
      return found || (devices.some(function (d) { return d.properties.state === state; }) ? state : null);
    }, null) || "online";
  }

  function byWorstThenSerial(a, b) {
    var rank = STATES.indexOf(a.properties.state) - STATES.indexOf(b.properties.state);
    return rank || (a.properties.serial < b.properties.serial ? -1 : 1);
  }

  function groupByBuilding(features) {
    var groups = {};
    features.forEach(function (f) {
      var key = f.properties.building_id;
      if (!groups[key]) {
        var c = f.geometry.coordinates;
        groups[key] = { latlng: L.latLng(c[1], c[0]), building: f.properties.building, devices: [] };
      }
      groups[key].devices.push(f);
    });
    return Object.keys(groups).map(function (key) {
      groups[key].devices.sort(byWorstThenSerial);
      return groups[key];
    });
  }

  function deviceUrl(template, id) { return template.replace(/\/0\/$/, "/" + id + "/"); }

  function devicePopup(f, urlTemplate) {
    var p = f.properties;
    var battery = p.battery === null ? "未知" : p.battery + "%";
    var alarms = p.alarm_labels.length ? p.alarm_labels.map(escapeHtml).join("、") : "无";
    return '<div class="device-popup"><b>' + escapeHtml(p.kind_label) + "</b> " + escapeHtml(p.serial) +
      ' <span class="device-state state-' + p.state + '">' + escapeHtml(p.state_label) + "</span>" +
      "<br>房屋：" + escapeHtml(p.dwelling) +
      "<br>最后上报：" + escapeHtml(p.last_seen || "从未") +
      "<br>电量：" + escapeHtml(battery) +
      "<br>未解除告警：" + alarms +
      '<br><a class="device-link" href="' + deviceUrl(urlTemplate, f.id) + '">查看设备</a></div>';
  }

  function groupPopup(group, urlTemplate, canSpread) {
    var rows = group.devices.map(function (f) {
      var p = f.properties;
      return '<li><span class="device-swatch state-' + p.state + '"></span>' +
        '<a class="device-link" href="' + deviceUrl(urlTemplate, f.id) + '">' + escapeHtml(p.kind_label) + " " +
        escapeHtml(p.serial) + "</a> " + escapeHtml(p.state_label) +
        (p.alarm_labels.length ? "：" + p.alarm_labels.map(escapeHtml).join("、") : "") + "</li>";
    }).join("");
    return '<div class="device-popup"><b>' + escapeHtml(group.building) + "</b> 共 " + group.devices.length + " 台设备" +
      (canSpread ? ' <button type="button" class="link device-zoom">放大逐台显示</button>' : "") +
      '<ul class="device-rows">' + rows + "</ul></div>";
  }

  function deviceMarker(f, latlng, dx, dy, urlTemplate) {
    var p = f.properties;
    var icon = L.divIcon({
      className: "device-marker state-" + p.state, html: KIND_GLYPHS[p.kind] || "设",
      iconSize: [MARKER, MARKER], iconAnchor: [MARKER / 2 - dx, MARKER / 2 - dy], popupAnchor: [dx, dy - MARKER / 2],
    });
    return L.marker(latlng, { icon: icon, keyboard: true, title: p.kind_label + " " + p.serial + "（" + p.state_label + "）" })
      .bindPopup(devicePopup(f, urlTemplate));
  }

  function groupMarker(group, map, urlTemplate) {
    var state = worstState(group.devices);
    var icon = L.divIcon({
      className: "device-cluster state-" + state, html: String(group.devices.length),
      iconSize: [MARKER + 6, MARKER + 6],
    });
    var canSpread = group.devices.length <= SPREAD_MAX;
    var marker = L.marker(group.latlng, { icon: icon, title: group.building + "：" + group.devices.length + " 台设备" });
    marker.bindPopup(groupPopup(group, urlTemplate, canSpread), { maxWidth: 320 });
    marker.on("popupopen", function (e) {
      var zoom = e.popup.getElement().querySelector(".device-zoom");
      if (zoom) { zoom.addEventListener("click", function () { map.setView(group.latlng, SPREAD_ZOOM); }); }
    });
    return marker;
  }

  // Deterministic: the devices keep their places on the ring (worst first, from twelve o'clock).
  function ringOffset(index, count) {
    if (count === 1) { return [0, 0]; }
    var radius = MARKER * 0.75 + (count > 4 ? (count - 4) * 3 : 0);
    var angle = -Math.PI / 2 + (2 * Math.PI * index) / count;
    return [Math.round(radius * Math.cos(angle)), Math.round(radius * Math.sin(angle))];
  }

  function drawDevices(layer, groups, map, urlTemplate) {
    layer.clearLayers();
    var spread = map.getZoom() >= SPREAD_ZOOM;
    groups.forEach(function (group) {
      var n = group.devices.length;
      if (n === 1 || (spread && n <= SPREAD_MAX)) {
        group.devices.forEach(function (f, i) {
          var offset = ringOffset(i, n);
          layer.addLayer(deviceMarker(f, group.latlng, offset[0], offset[1], urlTemplate));
        });
      } else {
        layer.addLayer(groupMarker(group, map, urlTemplate));
      }
    });
  }

  function showLegend(el, features) {
    var legend = el.parentNode.querySelector(".device-legend");
    if (!legend) { return; }
    var kinds = {};
    STATES.forEach(function (state) {
      var n = features.filter(function (f) { return f.properties.state === state; }).length;
      legend.querySelector('[data-state-count="' + state + '"]').textContent = String(n);
    });
    features.forEach(function (f) { kinds[f.properties.kind] = f.properties.kind_label; });
    legend.querySelector(".device-kinds").textContent = Object.keys(kinds).sort().map(function (k) {
      return (KIND_GLYPHS[k] || "设") + " " + kinds[k];
    }).join("、");
    legend.hidden = false;
  }

  function addDevices(el, map, control) {
    // A user who may not see devices gets an empty collection: no layer is offered then.
    return getJSON(el.dataset.devicesUrl).then(function (data) {
      el.dataset.devicesLoaded = String(data.features.length);
      if (!data.features.length) { return; }
      var layer = L.layerGroup().addTo(map);
      var groups = groupByBuilding(data.features);
      var draw = function () { drawDevices(layer, groups, map, el.dataset.deviceUrl); };
      draw();
      map.on("zoomend", draw);
      control.addOverlay(layer, "感知设备（" + data.features.length + " 台）");
      showLegend(el, data.features);
    });
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
    var control = L.control.layers(null, { "网格与微网格": areas, "楼栋": buildings },
      { collapsed: window.matchMedia("(max-width: 640px)").matches }).addTo(map);
    var fail = function (err) {
      el.insertAdjacentHTML("afterend", '<p class="error">' + escapeHtml(err.message) + "</p>");
    };
    Promise.all([getJSON(el.dataset.areasUrl), getJSON(el.dataset.buildingsUrl)]).then(function (data) {
      // Larger areas first so that smaller ones are drawn on top and stay clickable.
      var order = ["district", "street", "community", "grid", "microgrid"];
      data[0].features.sort(function (a, b) { return order.indexOf(a.properties.kind) - order.indexOf(b.properties.kind); });
      areas.addData(data[0]);
      buildings.addData(data[1]);
      var bounds = areas.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); }
      el.dataset.loaded = String(data[0].features.length);
      // After the fit: the devices are drawn for the zoom the map settles on.
      if (el.dataset.devicesUrl) { return addDevices(el, map, control); }
    }).catch(fail);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".territory-map").forEach(init);
  });
})();
