// Field pages: fill the check-in form with the phone's position, and find claimable tasks nearby.
(function () {
  "use strict";
  function locate(ok, fail) {
    if (!navigator.geolocation) { fail("此设备不支持定位"); return; }
    navigator.geolocation.getCurrentPosition(function (p) { ok(p.coords.latitude, p.coords.longitude); },
      function (e) { fail("定位失败：" + e.message); }, { enableHighAccuracy: true, timeout: 15000 });
  }
  function checkIn(form) {
    var status = form.querySelector(".geo-status");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    locate(function (lat, lng) {
      form.querySelector("input[name=lat]").value = lat.toFixed(6);
      form.querySelector("input[name=lng]").value = lng.toFixed(6);
      status.textContent = "已定位：" + lat.toFixed(5) + ", " + lng.toFixed(5);
      button.disabled = false;
    }, function (msg) { status.textContent = msg + "，无法报到"; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.action[data-action=check_in]").forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) { checkIn(d.querySelector("form")); } }, { once: true });
    });
    document.querySelectorAll(".locate-me").forEach(function (b) {
      b.addEventListener("click", function () {
        b.disabled = true;
        locate(function (lat, lng) {
          window.location = b.dataset.target + "?lat=" + lat.toFixed(6) + "&lng=" + lng.toFixed(6);
        }, function (msg) { b.disabled = false; b.textContent = msg; });
      });
    });
  });
})();
