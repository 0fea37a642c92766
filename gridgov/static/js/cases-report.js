// The resident's report form: place by GPS or by a tap on the map; at most 9 photos.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".report-form");
    if (!form) { return; }
    var lat = form.querySelector("input[name=lat]"), lng = form.querySelector("input[name=lng]");
    var status = form.querySelector(".place-status");
    var el = form.querySelector(".pick-map"), map = null, marker = null;
    function place(a, b, how) {
      lat.value = a.toFixed(6); lng.value = b.toFixed(6);
      status.textContent = how + "：" + a.toFixed(5) + ", " + b.toFixed(5);
      if (!map) { return; }
      if (marker) { marker.setLatLng([a, b]); } else { marker = L.marker([a, b]).addTo(map); }
      map.setView([a, b], Math.max(map.getZoom(), 16));
    }
    if (typeof L !== "undefined" && el) {
      map = L.map(el, { attributionControl: false }).setView([29.39, 106.62], 14);
      if (el.dataset.tileUrl) { L.tileLayer(el.dataset.tileUrl, { maxZoom: 20 }).addTo(map); }
      map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, "已在地图上选择"); });
      if (el.dataset.lat) { place(parseFloat(el.dataset.lat), parseFloat(el.dataset.lng), "已选择位置"); }
    }
    form.querySelector(".use-gps").addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = "此设备不支持定位，请在地图上点选"; return; }
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (p) { place(p.coords.latitude, p.coords.longitude, "已定位"); },
        function (e) { status.textContent = "定位失败（" + e.message + "），请在地图上点选或选择楼栋"; },
        { enableHighAccuracy: true, timeout: 15000 });
    });
    var files = form.querySelector("input[name=photos]"), count = form.querySelector(".photo-count");
    files.addEventListener("change", function () {
      var max = parseInt(files.dataset.max, 10);
      count.textContent = files.files.length > max ? "最多" + max + "张，请重新选择" : "已选择" + files.files.length + "张";
      files.setCustomValidity(files.files.length > max ? "最多" + max + "张照片" : "");
    });
  });
})();
